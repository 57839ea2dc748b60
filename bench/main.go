// Command bench measures the built binary and prints figures; it asserts nothing, because
// timings on shared machines are noisy. Run it from the repository root:
//
//	go run ./bench list          # `integrations list` on the local store: wall time and peak RSS
//	go run ./bench gitlab-list   # `integrations list -p X` against the GitLab fake: requests and wall time
//	go run ./bench bulk          # bulk configure against the fake: 1,000 projects at 50 ms, group strategy counts, 20,000 projects' memory
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/forgekit/integrations/internal/client/gitlabfake"
)

func main() {
	runs := flag.Int("runs", 50, "runs per measurement")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: go run ./bench [-runs N] list|gitlab-list|bulk")
	}
	dir, err := os.MkdirTemp("", "integrations-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := build(dir)
	switch flag.Arg(0) {
	case "list":
		benchList(bin, dir, *runs)
	case "gitlab-list":
		benchGitLabList(bin, dir, *runs)
	case "bulk":
		benchBulk(bin, dir)
	default:
		log.Fatalf("unknown benchmark %q", flag.Arg(0))
	}
}

// build compiles the binary as users get it (no race detector, no coverage).
func build(dir string) string {
	bin := filepath.Join(dir, "integrations")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("building: %v", err)
	}
	return bin
}

type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

func runOnce(bin string, env []string, args ...string) sample {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		log.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return sample{wall: wall, maxRSS: rss}
}

func report(name string, samples []sample) {
	walls := make([]time.Duration, len(samples))
	var peak int64
	for i, s := range samples {
		walls[i] = s.wall
		peak = max(peak, s.maxRSS)
	}
	slices.Sort(walls)
	fmt.Printf("%-40s runs=%d  wall median=%.1fms p90=%.1fms min=%.1fms  peak RSS=%.1f MB\n",
		name, len(samples), ms(walls[len(walls)/2]), ms(walls[len(walls)*9/10]), ms(walls[0]), float64(peak)/1024)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func benchEnv(dir string) []string {
	return append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"INTEGRATIONS_SECRET_KEY=bench",
		"GITLAB_HOST=", "GITLAB_TOKEN=", "CI=true")
}

// benchList measures `list` on the catalog alone and at a project of a populated store.
func benchList(bin, dir string, runs int) {
	env := benchEnv(dir)
	// Populate: settings at the instance, a group and a project, so the scoped list walks
	// inheritance.
	for _, args := range [][]string{
		{"configure", "slack", "--instance", "--set", "webhook=https://hooks.example/i"},
		{"configure", "jira", "-g", "acme", "--set", "url=https://jira.example", "--set", "password=x"},
		{"configure", "datadog", "-p", "acme/web", "--set", "api_key=abc123"},
	} {
		if cmd := exec.Command(bin, args...); true {
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Printf("(skipping store population: %v: %s)\n", err, out)
				break
			}
		}
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"list (catalog)", []string{"list"}},
		{"list -o json (catalog)", []string{"list", "-o", "json"}},
		{"list -p acme/web (local store)", []string{"list", "-p", "acme/web"}},
	} {
		runOnce(bin, env, c.args...) // warm the page cache
		samples := make([]sample, runs)
		for i := range samples {
			samples[i] = runOnce(bin, env, c.args...)
		}
		report(c.name, samples)
	}
	fmt.Println("targets: under 20 ms wall and under 30 MB peak RSS")
}

// benchGitLabList measures `list -p X` on the GitLab backend against the project's fake server
// with no added latency: the requests one listing makes and its wall time.
func benchGitLabList(bin, dir string, runs int) {
	fake := gitlabfake.New()
	defer fake.Close()
	fake.AddToken("bench-token", gitlabfake.Token{Username: "bench", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	fake.SetIntegration("project", "acme/web", "slack", map[string]any{"webhook": "https://hooks.example/x"}, nil, true)
	fake.SetIntegration("project", "acme/web", "jira", map[string]any{"url": "https://jira.example", "password": "x"}, nil, true)
	env := append(benchEnv(dir), "GITLAB_HOST="+fake.URL, "GITLAB_TOKEN=bench-token")
	runOnce(bin, env, "list", "-p", "acme/web")
	fake.ResetRequests()
	samples := make([]sample, runs)
	for i := range samples {
		samples[i] = runOnce(bin, env, "list", "-p", "acme/web", "-o", "json")
	}
	report("list -p acme/web (GitLab fake)", samples)
	fmt.Printf("requests per listing: %.1f\n", float64(len(fake.Requests()))/float64(runs))
	fmt.Println("targets: at most 2 requests and under 30 ms with no latency")
}

// benchBulk runs bulk configure as a built binary against the fake server.
func benchBulk(bin, dir string) {
	// 1,000 projects, 50 ms per request, per-project writes, 16 at a time.
	fake := gitlabfake.New(gitlabfake.WithLatency(50 * time.Millisecond))
	defer fake.Close()
	fake.AddToken("bench-token", gitlabfake.Token{Username: "bench", Scopes: []string{"api"}, AccessLevel: 40})
	for i := range 1000 {
		fake.AddProject(fmt.Sprintf("big/team%02d/p%04d", i%20, i), false)
	}
	env := append(benchEnv(dir), "GITLAB_HOST="+fake.URL, "GITLAB_TOKEN=bench-token", "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	configure := []string{
		"bulk", "configure", "jenkins", "-g", "big", "--strategy", "project", "--concurrency", "16", "--yes",
		"--set", "jenkins_url=https://ci.example.com", "--set", "project_name=build", "-o", "json",
	}
	fake.ResetRequests()
	s := runOnce(bin, env, configure...)
	reqs := len(fake.Requests())
	ideal := time.Duration(reqs) * 50 * time.Millisecond / 16
	fmt.Printf("%-40s projects=1000 requests=%d (%.2f per project) wall=%.2fs ideal=%.2fs ratio=%.2f peak RSS=%.1f MB\n",
		"bulk configure, per project, 50 ms", reqs, float64(reqs)/1000, s.wall.Seconds(), ideal.Seconds(),
		s.wall.Seconds()/ideal.Seconds(), float64(s.maxRSS)/1024)
	fmt.Println("targets: at most 2 requests per project; wall within 1.2x the ideal (requests x 50 ms / 16)")
	fake.Close()

	// Group strategy: writes grow with groups and overrides, not with projects.
	for _, n := range []int{200, 2000} {
		g := gitlabfake.New()
		g.AddToken("bench-token", gitlabfake.Token{Username: "bench", Scopes: []string{"api"}, AccessLevel: 40})
		for i := range n {
			g.AddProject(fmt.Sprintf("corp/unit%d/p%05d", i%5, i), false)
		}
		for i := range 3 { // three projects override the group with settings of their own
			g.SetIntegration("project", fmt.Sprintf("corp/unit%d/p%05d", i%5, i), "jira", map[string]any{"url": "https://own.example", "password": "x"}, nil, true)
		}
		genv := append(benchEnv(dir), "GITLAB_HOST="+g.URL, "GITLAB_TOKEN=bench-token", "XDG_STATE_HOME="+filepath.Join(dir, "state"))
		runOnce(bin, genv, "bulk", "configure", "jira", "-g", "corp", "--reset-overrides", "--yes",
			"--set", "url=https://jira.example.com", "--set", "password=secret")
		writes := 0
		for _, r := range g.Requests() {
			if r.Method == "PUT" || r.Method == "DELETE" {
				writes++
			}
		}
		fmt.Printf("%-40s projects=%d groups=6 overrides=3 writes=%d\n", "bulk configure, group strategy", n, writes)
		g.Close()
	}

	// Memory: 20,000 projects, no latency, planned and written in a stream.
	m := gitlabfake.New()
	defer m.Close()
	m.AddToken("bench-token", gitlabfake.Token{Username: "bench", Scopes: []string{"api"}, AccessLevel: 40})
	for i := range 20000 {
		m.AddProject(fmt.Sprintf("huge/d%02d/p%05d", i%50, i), false)
	}
	menv := append(benchEnv(dir), "GITLAB_HOST="+m.URL, "GITLAB_TOKEN=bench-token", "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	ms := runOnce(bin, menv, "bulk", "configure", "jenkins", "-g", "huge", "--strategy", "project", "--concurrency", "16", "--yes",
		"--set", "jenkins_url=https://ci.example.com", "--set", "project_name=build", "-o", "json")
	fmt.Printf("%-40s projects=20000 requests=%d wall=%.1fs peak RSS=%.1f MB\n", "bulk configure, per project, no latency",
		len(m.Requests()), ms.wall.Seconds(), float64(ms.maxRSS)/1024)
	fmt.Println("target: peak memory under 100 MB with 20,000 projects")
}
