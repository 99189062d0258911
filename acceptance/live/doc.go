// Package live is xregion's acceptance suite: the scenarios that prove a
// rollout on two real workspaces, and a report of what the service answered
// where our fakes only hold beliefs. Its tests are skipped unless the
// XREGION_LIVE_* variables name two workspaces (see config.go and the
// README's "Verify on your own workspaces"); the same scenarios run against
// the HTTP emulator on every `go test ./...`.
//
//	go test ./acceptance/live -run 'TestLive$' -v -timeout 90m
package live
