// Package formstest is a scripted Prompter for tests: it expects a queue of prompts in order,
// answers each, fails on an unexpected prompt, and fails the test if expected ones are left.
package formstest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
)

type step struct {
	kind, title string
	answer      any
}

// Scripted answers prompts from a script.
type Scripted struct {
	tb    testing.TB
	mu    sync.Mutex
	steps []step
}

// New returns an empty script; add expectations with the Expect methods.
func New(tb testing.TB) *Scripted {
	tb.Helper()
	s := &Scripted{tb: tb}
	tb.Cleanup(func() {
		if len(s.steps) > 0 {
			tb.Errorf("formstest: %d expected prompt(s) never came, first: %s %q", len(s.steps), s.steps[0].kind, s.steps[0].title)
		}
	})
	return s
}

// ExpectConfirm answers the next Confirm whose title contains title.
func (s *Scripted) ExpectConfirm(title string, answer bool) *Scripted {
	return s.add("confirm", title, answer)
}

// ExpectPassword answers the next Password prompt.
func (s *Scripted) ExpectPassword(title, answer string) *Scripted {
	return s.add("password", title, answer)
}

// ExpectFill answers the next settings form for the integration named name: fn edits the
// Input as a user would, or returns an error such as forms.ErrCancelled.
func (s *Scripted) ExpectFill(name string, fn func(in *forms.Input) error) *Scripted {
	return s.add("fill", name, fn)
}

// ExpectPick answers the next Pick whose title contains title with the option valued answer,
// which must be among the options offered.
func (s *Scripted) ExpectPick(title, answer string) *Scripted {
	return s.add("pick", title, answer)
}

func (s *Scripted) add(kind, title string, answer any) *Scripted {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = append(s.steps, step{kind, title, answer})
	return s
}

func (s *Scripted) next(kind, title string) any {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.steps) == 0 {
		s.tb.Fatalf("formstest: unexpected %s prompt %q", kind, title)
	}
	st := s.steps[0]
	if st.kind != kind || !strings.Contains(title, st.title) {
		s.tb.Fatalf("formstest: got %s prompt %q, expected %s %q", kind, title, st.kind, st.title)
	}
	s.steps = s.steps[1:]
	return st.answer
}

func (s *Scripted) Confirm(_ context.Context, title string, _ bool) (bool, error) {
	return s.next("confirm", title).(bool), nil
}

func (s *Scripted) Password(_ context.Context, title string) (string, error) {
	return s.next("password", title).(string), nil
}

func (s *Scripted) Fill(_ context.Context, def integrations.Definition, in *forms.Input) error {
	return s.next("fill", def.Name).(func(*forms.Input) error)(in)
}

func (s *Scripted) Pick(_ context.Context, title string, options []forms.Option) (string, error) {
	s.tb.Helper()
	answer := s.next("pick", title).(string)
	for _, o := range options {
		if o.Value == answer {
			return answer, nil
		}
	}
	s.tb.Fatalf("formstest: %q is not among the options of %q", answer, title)
	return "", nil
}
