package integrations

import "testing"

// Teams settings that still point at an Office 365 connector deliver nothing since Microsoft
// retired connectors; doctor finds them through the catalog.
func TestTeamsConnectorURLsAreRetired(t *testing.T) {
	def, err := Lookup("microsoft_teams")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := def.Field("webhook")
	for url, retired := range map[string]bool{
		"https://acme.webhook.office.com/webhookb2/1111@2222/IncomingWebhook/3333/4444": true,
		"https://outlook.office.com/webhook/1111@2222/IncomingWebhook/3333/4444":        true,
		"https://OUTLOOK.office365.com/webhook/x":                                       true,
		"https://outlook.office.com/mail/":                                              false,
		"https://prod-23.westeurope.logic.azure.com:443/workflows/abc/triggers/manual":  false,
		"not a url": false,
	} {
		r, got := f.RetiredBy(url)
		if got != retired {
			t.Errorf("RetiredBy(%q) = %v, want %v", url, got, retired)
		}
		if got && (r.Why == "" || r.Instead == "") {
			t.Errorf("RetiredBy(%q) gives no reason", url)
		}
	}
	if _, got := f.RetiredBy(f.Placeholder); got {
		t.Errorf("the form suggests a retired address: %s", f.Placeholder)
	}
}
