package integrations

func init() {
	register(Definition{
		Name:        "assembla",
		Title:       "Assembla",
		Description: "Sends the commits of each push to an Assembla space, where they show up in the space's activity and can refer to tickets.",
		APISlug:     "assembla",
		LegacyType:  "AssemblaService",
		Fields: []Field{
			password("token", "Token", "The secret key of the space's GitHub tool, found in the Assembla space's settings.").
				required(),
			text("subdomain", "Space", "The space's name as it appears in its Assembla URL; pushes are sent to that space.").
				placeholder("my-space").exposesSecrets(),
		},
		Events: []string{"push"},
		Test:   testable("sends a sample push to the space's GitHub tool endpoint on atlas.assembla.com; succeeds when Assembla answers"),
	})
}
