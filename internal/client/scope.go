package client

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/forgekit/integrations/internal/integrations"
)

// Scope is where settings live: the instance, a group or a project. A scope given by numeric ID
// has an empty Path until a backend resolves it.
type Scope struct {
	Level integrations.Level
	Path  string
	ID    int64
}

// InstanceScope is the whole instance.
var InstanceScope = Scope{Level: integrations.Instance}

// String is the scope's stable name in output: "instance", "group:acme", "project:acme/web".
func (s Scope) String() string {
	if s.Level == integrations.Instance {
		return "instance"
	}
	ref := s.Path
	if ref == "" {
		ref = strconv.FormatInt(s.ID, 10)
	}
	return string(s.Level) + ":" + ref
}

// Describe is the scope in words, for messages: "project acme/web".
func (s Scope) Describe() string {
	if s.Level == integrations.Instance {
		return "the instance"
	}
	return strings.Replace(s.String(), ":", " ", 1)
}

// IsZero reports an unset scope (no scope flag given).
func (s Scope) IsZero() bool { return s.Level == "" }

// ParentPath returns the path of the scope's parent group, or "" for a top-level path.
func ParentPath(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return ""
}

// GitLab's path rules, simplified: letters, digits, '_', '-', '.'; not starting with '-' or '.'.
var segment = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// maxSegment is GitLab's limit on one part of a path.
const maxSegment = 255

// ParseScope reads a scope flag's value: a full path (acme/web) or a numeric ID.
func ParseScope(level integrations.Level, ref string) (Scope, error) {
	if level == integrations.Instance {
		return InstanceScope, nil
	}
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if id <= 0 {
			return Scope{}, Invalidf("invalid %s ID %s", level, quote.Value(ref))
		}
		return Scope{Level: level, ID: id}, nil
	}
	if ref != "" && strings.Trim(ref, "0123456789") == "" {
		return Scope{}, Invalidf("invalid %s ID %s: too large for an ID", level, quote.Value(ref))
	}
	parts := strings.Split(ref, "/")
	if ref == "" || len(parts) > 20 {
		return Scope{}, Invalidf("invalid %s path %s", level, quote.Value(ref))
	}
	for _, p := range parts {
		if len(p) > maxSegment {
			return Scope{}, Invalidf("invalid %s path %s: a part is %d characters; GitLab allows %d", level, quote.Value(ref), len(p), maxSegment)
		}
		if !segment.MatchString(p) || strings.HasSuffix(p, ".git") || strings.HasSuffix(p, ".atom") {
			return Scope{}, Invalidf("invalid %s path %s: each part must be letters, digits, '_', '-' or '.', not starting with '-' or '.'", level, quote.Value(ref))
		}
	}
	return Scope{Level: level, Path: ref}, nil
}

// FormatScopes joins scopes for a message.
func FormatScopes(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = s.Describe()
	}
	return strings.Join(parts, ", ")
}

// Flag is the scope flag that names s on the command line: "-p acme/web", "-g acme" or
// "--instance", for advice in messages.
func (s Scope) Flag() string {
	ref := s.Path
	if ref == "" {
		ref = strconv.FormatInt(s.ID, 10)
	}
	switch s.Level {
	case integrations.Project:
		return "-p " + ref
	case integrations.Group:
		return "-g " + ref
	}
	return "--instance"
}
