package integrations

import "strings"

// The constructors and modifiers below keep one integration's file short: a field is declared as
// text("url", "Server URL", "…").required().exposesSecrets().

func text(key, title, help string) Field {
	return Field{Key: key, Kind: Text, Title: title, Help: help}
}

func textarea(key, title, help string) Field {
	return Field{Key: key, Kind: Textarea, Title: title, Help: help}
}

func urlField(key, title, help string) Field {
	return Field{Key: key, Kind: Text, Title: title, Help: help, URL: true}
}

func number(key, title, help string) Field {
	return Field{Key: key, Kind: Number, Title: title, Help: help}
}

func stringArray(key, title, help string) Field {
	return Field{Key: key, Kind: StringArray, Title: title, Help: help}
}

// password is a write-only secret: GitLab never returns it, so a form shows whether it is set and
// keeps the stored value when left blank.
func password(key, title, help string) Field {
	lower := strings.ToLower(title)
	return Field{
		Key: key, Kind: Password, Secret: true, Title: title, Help: help,
		NonEmptySecretTitle: "Enter a new " + lower,
		NonEmptySecretHelp:  "Leave blank to keep the current " + lower + ".",
	}
}

func checkbox(key, title, label, help string) Field {
	return Field{Key: key, Kind: Checkbox, Title: title, CheckboxLabel: label, Help: help}
}

func selectField(key, title, help string, choices ...Choice) Field {
	return Field{Key: key, Kind: Select, Title: title, Help: help, Choices: choices}
}

func choice(label, value string) Choice { return Choice{Label: label, Value: value} }

func (f Field) required() Field { f.Required = true; return f }

func (f Field) requiredWhen(cond string) Field { f.RequiredWhen = cond; return f }

func (f Field) def(v string) Field { f.Default = v; return f }

func (f Field) placeholder(p string) Field { f.Placeholder = p; return f }

func (f Field) section(s Section) Field { f.Section = s; return f }

func (f Field) apiOnly() Field { f.APIOnly = true; return f }

func (f Field) exposesSecrets() Field { f.ExposesSecrets = true; return f }

func (f Field) sensitive() Field { f.Sensitive = true; return f }

func (f Field) edition(e string) Field { f.Edition = e; return f }

// secret marks a non-password field that GitLab still never returns, such as a chat webhook.
func (f Field) secret() Field {
	f.Secret = true
	lower := strings.ToLower(f.Title)
	f.NonEmptySecretTitle = "Enter a new " + lower
	f.NonEmptySecretHelp = "Leave blank to keep the current " + lower + "."
	return f
}

func (f Field) url() Field { f.URL = true; return f }

func (f Field) retired(r ...RetiredURL) Field { f.Retired = append(f.Retired, r...); return f }

func boolPtr(b bool) *bool { return &b }

func testable(what string) Testability { return Testability{Testable: boolPtr(true), What: what} }

func notTestable(why string) Testability { return Testability{Testable: boolPtr(false), What: why} }

func testUnknown(what string) Testability { return Testability{What: what} }

var (
	allLevels       = []Level{Project, Group, Instance}
	projectOnly     = []Level{Project}
	projectAndGroup = []Level{Project, Group}
	instanceOnly    = []Level{Instance}
)

// checked adds a rule; a field may have several and must pass them all.
func (f Field) checked(fn func(v string) error) Field {
	if prev := f.check; prev != nil {
		f.check = func(v string) error {
			if err := prev(v); err != nil {
				return err
			}
			return fn(v)
		}
		return f
	}
	f.check = fn
	return f
}
