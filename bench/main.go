// Command bench measures the built binary and prints figures, each beside its target; it asserts
// nothing, because timings on shared machines are noisy. Run it from the repository root:
//
//	go run ./bench list          # `list` on the local store against `version`: wall time and peak RSS
//	go run ./bench gitlab-list   # `list -p X` and `show NAME -p X` against the GitLab fake at 50 ms: requests and wall time
//	go run ./bench bulk          # bulk runs (bulk hooks add among them) against the fake at 1,000 and 20,000 projects: requests, wall against the ideal, CPU, peak RSS
//	go run ./bench local         # export and bulk status of a local store with 10,000 projects
//
// One bulk row on its own: go run ./bench -projects 20000 -rows "bulk enable" bulk
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == launchFlag {
		launch(os.Args[2:])
		return
	}
	runs := flag.Int("runs", 50, "runs per measurement")
	only := flag.Int("projects", 0, "bulk: only the size with this many projects")
	first := flag.Int("first", 0, "bulk: list each run's first `N` requests with their times")
	rows := flag.String("rows", "", "bulk: only the runs whose command contains this `text` (\"enable\", \"hooks\", \"status\", \"configure\")")
	profile := flag.String("cpuprofile", "", "write the bench's CPU profile (the fake GitLab's, mostly) to this file")
	keep := flag.Bool("keep", false, "keep the directory with the binary and the store, to profile a command on them by hand")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: go run ./bench [-runs N] list|gitlab-list|bulk|local")
	}
	dir, err := os.MkdirTemp("", "integrations-bench-")
	if err != nil {
		log.Fatal(err)
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := build(dir)
	if *profile != "" {
		stop := startProfile(*profile)
		defer stop()
	}
	switch flag.Arg(0) {
	case "list":
		benchList(bin, dir, *runs)
	case "gitlab-list":
		benchGitLabList(bin, dir, *runs)
	case "bulk":
		benchBulk(bin, dir, bulkOptions{projects: *only, first: *first, rows: *rows})
	case "local":
		benchLocal(bin, dir)
	default:
		log.Fatalf("unknown benchmark %q", flag.Arg(0))
	}
}

func startProfile(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
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
	wall     time.Duration
	cpu      time.Duration // user + system
	maxRSS   int64         // KiB
	benchCPU time.Duration // the bench's own CPU meanwhile: the fake GitLab serving the command
}

func (s sample) rssMB() float64 { return float64(s.maxRSS) / 1024 }

// launchFlag makes the bench run one command and report its figures. The bench starts each
// measured command through a fresh copy of itself: Linux counts in a child's peak RSS the
// memory of the process that started it (the fork shares it until exec), and the bench holds a
// fake GitLab with 20,000 projects and every request it served.
const launchFlag = "-launch"

func launch(args []string) {
	cmd := exec.Command(args[0], args[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v: %v\n%s", args, err, stderr.String())
		os.Exit(1)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		ru = &syscall.Rusage{}
	}
	fmt.Printf("%d %d %d\n", wall.Nanoseconds(), ru.Utime.Nano()+ru.Stime.Nano(), ru.Maxrss)
}

func runOnce(bin string, env []string, args ...string) sample {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{launchFlag, bin}, args...)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	before := selfCPU()
	out, err := cmd.Output()
	benchCPU := selfCPU() - before
	if err != nil {
		log.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	var wall, cpu, rss int64
	if _, err := fmt.Sscan(string(out), &wall, &cpu, &rss); err != nil {
		log.Fatalf("%s %v: reading its figures %q: %v", bin, args, out, err)
	}
	return sample{wall: time.Duration(wall), cpu: time.Duration(cpu), maxRSS: rss, benchCPU: benchCPU}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// median runs args runs times (after one warm-up) and returns the median wall and the peak RSS.
func median(bin string, env []string, runs int, args ...string) sample {
	runOnce(bin, env, args...)
	walls := make([]time.Duration, runs)
	var peak int64
	for i := range walls {
		s := runOnce(bin, env, args...)
		walls[i], peak = s.wall, max(peak, s.maxRSS)
	}
	slices.Sort(walls)
	return sample{wall: walls[len(walls)/2], maxRSS: peak}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// row prints one figure and the target it is measured against.
func row(name, figures, target string) {
	fmt.Printf("%-44s %s\n%44s   target: %s\n", name, figures, "", target)
}

func benchEnv(dir string) []string {
	return append(os.Environ(),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"INTEGRATIONS_SECRET_KEY=bench",
		"GITLAB_HOST=", "GITLAB_TOKEN=", "CI=true")
}

// benchList measures `list` on the catalog and at a project of a populated store, as ratios to
// `version`, the floor of any command's start-up.
func benchList(bin, dir string, runs int) {
	env := benchEnv(dir)
	// Settings at the instance, a group and a project, so the scoped list walks inheritance.
	for _, args := range [][]string{
		{"configure", "slack", "--instance", "--set", "webhook=https://hooks.example/i"},
		{"configure", "jira", "-g", "acme", "--set", "url=https://jira.example", "--set", "password=x"},
		{"configure", "datadog", "-p", "acme/web", "--set", "api_key=abc123"},
	} {
		runOnce(bin, env, args...)
	}
	floor := median(bin, env, runs, "version")
	row("version (the floor)", fmt.Sprintf("wall median=%.1fms peak RSS=%.1f MB", ms(floor.wall), floor.rssMB()), "-")
	for _, c := range []struct {
		name string
		args []string
	}{
		{"list (catalog)", []string{"list"}},
		{"list -o json (catalog)", []string{"list", "-o", "json"}},
		{"list -p acme/web (local store)", []string{"list", "-p", "acme/web"}},
	} {
		s := median(bin, env, runs, c.args...)
		row(c.name, fmt.Sprintf("wall median=%.1fms = %.2fx version, peak RSS=%.1f MB", ms(s.wall), s.wall.Seconds()/floor.wall.Seconds(), s.rssMB()),
			"<= 1.25x version; under 30 MB")
	}
}
