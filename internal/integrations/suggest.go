package integrations

import (
	"strings"

	"github.com/agnivade/levenshtein"
)

// Closest returns the candidate nearest to what was typed, or "" when none is close enough to
// be the one meant: a typo, a prefix or a part of it.
func Closest(typed string, candidates []string) string {
	typed = strings.ToLower(typed)
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		dist := levenshtein.ComputeDistance(typed, c)
		if strings.HasPrefix(c, typed) && len(typed) >= 3 {
			dist = min(dist, 1)
		}
		if dist < bestDist {
			best, bestDist = c, dist
		}
	}
	if bestDist > max(2, len(typed)/3) {
		return ""
	}
	return best
}
