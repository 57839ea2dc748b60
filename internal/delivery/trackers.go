package delivery

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

func init() {
	// GitLab's issue-tracker test: a HEAD request to the project URL; any answer is success.
	register(headCheck("project_url"), "bugzilla", "clickup", "custom_issue_tracker", "ewm", "redmine", "youtrack", "phorge")
	register(headCheck("workspace_url"), "linear")
	register(getCheck("external_wiki_url", http.StatusOK), "external_wiki")
	register(jiraCheck, "jira")
	register(zentaoCheck, "zentao")
	register(harborCheck, "harbor")
	register(prometheusCheck, "prometheus")
}

func headCheck(key string) Builder {
	return func(t Target) (Plan, error) {
		v, err := need(t, key)
		if err != nil {
			return Plan{}, err
		}
		return Plan{Steps: []Step{{Method: http.MethodHead, URL: v[0], Header: http.Header{"User-Agent": {"GitLab/integrations-cli"}}, OK: reachable}}}, nil
	}
}

func getCheck(key string, status int) Builder {
	return func(t Target) (Plan, error) {
		v, err := need(t, key)
		if err != nil {
			return Plan{}, err
		}
		return Plan{Steps: []Step{{Method: http.MethodGet, URL: v[0], Header: http.Header{"User-Agent": {"GitLab/integrations-cli"}}, OK: statusIs(status)}}}, nil
	}
}

// jiraCheck asks Jira what GitLab asks: the server's info and the authenticated user, which
// proves the credentials. Basic authentication, or a bearer personal access token.
func jiraCheck(t Target) (Plan, error) {
	v, err := need(t, "url", "password")
	if err != nil {
		return Plan{}, err
	}
	base := strings.TrimSuffix(firstNonEmpty(t.Value("api_url"), v[0]), "/")
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {"GitLab/integrations-cli"}}
	auth := ""
	if t.Value("jira_auth_type") == "1" {
		auth = "Bearer " + v[1]
	} else {
		user := t.Value("username")
		if user == "" {
			return Plan{}, missing(t.Def, "username")
		}
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+v[1]))
	}
	h.Set("Authorization", auth)
	return Plan{
		Steps: []Step{
			{Method: http.MethodGet, URL: base + "/rest/api/2/serverInfo", Header: h},
			{Method: http.MethodGet, URL: base + "/rest/api/2/myself", Header: h.Clone(), OK: jiraUser},
		},
		Secrets: []string{auth},
	}, nil
}

// jiraUser accepts the authenticated call only when Jira names the user: a wrong password can
// still answer 200 on some servers, as an anonymous page.
func jiraUser(status int, body []byte) (bool, string) {
	if ok, why := is2xx(status, body); !ok {
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			return false, fmt.Sprintf("Jira refused the credentials (%d)", status)
		}
		return false, why
	}
	var u struct {
		Name        string `json:"name"`
		AccountID   string `json:"accountId"`
		DisplayName string `json:"displayName"`
	}
	if json.Unmarshal(body, &u) != nil || (u.Name == "" && u.AccountID == "" && u.DisplayName == "") {
		return false, "Jira did not say who the credentials belong to"
	}
	return true, ""
}

// zentaoCheck reads the configured product, as GitLab's ZenTao client pings it.
func zentaoCheck(t Target) (Plan, error) {
	v, err := need(t, "url", "api_token", "zentao_product_xid")
	if err != nil {
		return Plan{}, err
	}
	base := strings.TrimSuffix(firstNonEmpty(t.Value("api_url"), v[0]), "/")
	h := http.Header{"Token": {v[1]}, "Accept": {"application/json"}}
	return Plan{Steps: []Step{{Method: http.MethodGet, URL: base + "/api.php/v1/products/" + url.PathEscape(v[2]), Header: h}}}, nil
}

// harborCheck looks the project up, as GitLab's Harbor client does.
func harborCheck(t Target) (Plan, error) {
	v, err := need(t, "url", "project_name", "username", "password")
	if err != nil {
		return Plan{}, err
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(v[2]+":"+v[3]))
	h := http.Header{"Authorization": {auth}, "Accept": {"application/json"}}
	u := strings.TrimSuffix(v[0], "/") + "/api/v2.0/projects?name=" + url.QueryEscape(v[1])
	return Plan{Steps: []Step{{Method: http.MethodHead, URL: u, Header: h}}, Secrets: []string{auth}}, nil
}

// prometheusCheck runs a trivial query against the configured API.
func prometheusCheck(t Target) (Plan, error) {
	v, err := need(t, "api_url")
	if err != nil {
		return Plan{}, err
	}
	u := strings.TrimSuffix(v[0], "/") + "/api/v1/query?query=1"
	return Plan{Steps: []Step{{Method: http.MethodGet, URL: u, Header: http.Header{"Accept": {"application/json"}}}}}, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
