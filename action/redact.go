package main

import (
	"slices"
	"strings"

	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// secretInputs are the inputs whose values are masked before anything is
// printed.
var secretInputs = []string{"source-token", "source-client-secret", "target-token", "target-client-secret"}

// redactor keeps the run's secrets out of everything the action prints.
// The runner's masks (AddMask) hide them in the log it shows; the redactor
// also keeps them out of the text itself: annotations, the step summary and
// the outputs, which messages of the SDK can carry them into.
type redactor struct {
	r     *strings.Replacer
	pairs []string // the replacer's old, new pairs
}

// newRedactor masks every secret the run knows of and returns a redactor
// for them: the secret inputs, a credential pasted into a host URL, and the
// runner's ID-token request token, which the SDK prints in the messages of
// failed GitHub OIDC exchanges.
func newRedactor(a *githubactions.Action) redactor {
	var secrets []string
	for _, name := range secretInputs {
		secrets = append(secrets, a.GetInput(name))
	}
	for _, name := range []string{"source-host", "target-host"} {
		// Refused by the input checks, but masked and redacted first.
		secrets = append(secrets, userinfoSecret(a.GetInput(name)))
	}
	secrets = append(secrets, a.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
	var pairs []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		a.AddMask(s)
		pairs = append(pairs, s, "***")
	}
	return redactor{strings.NewReplacer(pairs...), pairs}
}

// with returns a redactor for r's secrets and more, which the caller has
// masked already, such as those a regions file names.
func (r redactor) with(secrets ...string) redactor {
	pairs := slices.Clone(r.pairs)
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, "***")
		}
	}
	return redactor{strings.NewReplacer(pairs...), pairs}
}

// String returns s without the secrets.
func (r redactor) String(s string) string { return r.r.Replace(s) }

// Err returns err with a message without the secrets; errors.Is and
// errors.As still see err.
func (r redactor) Err(err error) error {
	if err == nil || r.String(err.Error()) == err.Error() {
		return err
	}
	return &redactedError{msg: r.String(err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Result removes the secrets from the messages a result carries from the
// services.
func (r redactor) Result(res *rollout.RegionResult) {
	res.Error = r.String(res.Error)
	for i := range res.Warnings {
		res.Warnings[i] = r.String(res.Warnings[i])
	}
	for i := range res.OnlineStatus {
		res.OnlineStatus[i].Message = r.String(res.OnlineStatus[i].Message)
	}
	if e := res.Endpoint; e != nil {
		e.Reason = r.String(e.Reason)
		for i := range e.Checks {
			e.Checks[i].Detail = r.String(e.Checks[i].Detail)
		}
	}
}
