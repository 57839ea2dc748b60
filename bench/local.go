package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
)

const localProjects = 10000

// benchLocal exports, and takes the bulk status of, a local store with 10,000 projects, each
// with settings of its own (a secret among them) under groups with settings of their own.
func benchLocal(bin, dir string) {
	env := benchEnv(dir)
	start := time.Now()
	populate(filepath.Join(dir, "data", "integrations", "store.db"))
	fmt.Printf("(store with %d projects written in %.1fs)\n", localProjects, time.Since(start).Seconds())

	s := runOnce(bin, env, "export", "--file", filepath.Join(dir, "export.yaml"))
	row(fmt.Sprintf("export, local store, %d projects", localProjects),
		fmt.Sprintf("wall=%.2fs cpu=%.2fs peak RSS=%.1f MB", s.wall.Seconds(), s.cpu.Seconds(), s.rssMB()), "<= 0.5 s, <= 50 MB")

	s = runOnce(bin, env, "bulk", "status", "datadog", "-g", "org", "-o", "json")
	row(fmt.Sprintf("bulk status, local store, %d projects", localProjects),
		fmt.Sprintf("wall=%.2fs cpu=%.2fs peak RSS=%.1f MB", s.wall.Seconds(), s.cpu.Seconds(), s.rssMB()), "<= 1 s, <= 60 MB")
}

func populate(path string) {
	ctx := context.Background()
	if err := os.Setenv("INTEGRATIONS_SECRET_KEY", "bench"); err != nil {
		log.Fatal(err)
	}
	st, err := local.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	slack, _ := integrations.Lookup("slack")
	datadog, _ := integrations.Lookup("datadog")
	on := true
	save := func(level integrations.Level, p string, def integrations.Definition, values map[string]string) {
		if _, err := st.Save(ctx, client.Scope{Level: level, Path: p}, def, client.Update{Values: values, Active: &on}); err != nil {
			log.Fatalf("populating %s: %v", p, err)
		}
	}
	for g := range 20 {
		save(integrations.Group, fmt.Sprintf("org/unit%02d", g), slack, map[string]string{"webhook": "https://hooks.example/" + fmt.Sprint(g), "channel": "#ops"})
	}
	for i := range localProjects {
		save(integrations.Project, fmt.Sprintf("org/unit%02d/p%05d", i%20, i), datadog, map[string]string{"api_key": fmt.Sprintf("key-%05d", i), "datadog_env": "prod"})
	}
}
