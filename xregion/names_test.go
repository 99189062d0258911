package xregion_test

import (
	"errors"
	"github.com/org/xregion-action/internal/invalid"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
)

func TestParseFullName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   string
		want    xregion.FullName
		wantErr bool
	}{
		{name: "three_parts", value: "main.ml.fraud", want: xregion.FullName{Catalog: "main", Schema: "ml", Name: "fraud"}},
		{name: "unicode_and_hyphen", value: "prod-eu.ml.modèle_1", want: xregion.FullName{Catalog: "prod-eu", Schema: "ml", Name: "modèle_1"}},
		{name: "two_parts", value: "ml.fraud", wantErr: true},
		{name: "four_parts", value: "a.b.c.d", wantErr: true},
		{name: "empty", value: "", wantErr: true},
		{name: "empty_part", value: "main..fraud", wantErr: true},
		{name: "space", value: "main.ml.fraud model", wantErr: true},
		{name: "slash", value: "main.ml/x.fraud", wantErr: true},
		{name: "control_char", value: "main.ml.fr\x01aud", wantErr: true},
		{name: "delete_char", value: "main.ml.fr\x7faud", wantErr: true},
		{name: "too_long", value: "main.ml." + strings.Repeat("a", 256), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := xregion.ParseFullName("model", tt.value)
			if tt.wantErr {
				var ie *xregion.InputError
				if !errors.As(err, &ie) || !errors.Is(err, xregion.ErrInvalidInput) {
					t.Fatalf("ParseFullName(%q) error = %v, want an *InputError matching ErrInvalidInput", tt.value, err)
				}
				if ie.Input != "model" || ie.Value != tt.value {
					t.Errorf("InputError names input %q value %q, want %q %q", ie.Input, ie.Value, "model", tt.value)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFullName(%q) error = %v", tt.value, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFullName(%q) mismatch (-want +got):\n%s", tt.value, diff)
			}
			if got.String() != tt.value {
				t.Errorf("String() = %q, want %q", got.String(), tt.value)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   string
		want    xregion.VersionSelector
		wantErr bool
	}{
		{value: "", want: xregion.VersionSelector{Latest: true}},
		{value: "latest", want: xregion.VersionSelector{Latest: true}},
		{value: "3", want: xregion.VersionSelector{Number: 3}},
		{value: "@champion", want: xregion.VersionSelector{Alias: "champion"}},
		{value: "0", wantErr: true},
		{value: "-2", wantErr: true},
		{value: "v3", wantErr: true},
		{value: "@", wantErr: true},
		{value: "@a b", wantErr: true},
		{value: "LATEST", wantErr: true},
	}
	for _, tt := range tests {
		t.Run("value="+tt.value, func(t *testing.T) {
			t.Parallel()
			got, err := xregion.ParseVersion("version", tt.value)
			if tt.wantErr {
				if !errors.Is(err, xregion.ErrInvalidInput) {
					t.Fatalf("ParseVersion(%q) error = %v, want ErrInvalidInput", tt.value, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseVersion(%q) error = %v", tt.value, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseVersion(%q) mismatch (-want +got):\n%s", tt.value, diff)
			}
			if tt.value != "" && got.String() != tt.value {
				t.Errorf("String() = %q, want %q", got.String(), tt.value)
			}
		})
	}
}

func TestStepErrorUnwraps(t *testing.T) {
	t.Parallel()
	inner := invalid.Input("share", "a b", "name contains a space")
	err := error(&xregion.StepError{Step: "EnsureShare", Resource: `share "a b"`, Err: inner})
	if !errors.Is(err, xregion.ErrInvalidInput) {
		t.Errorf("errors.Is(%v, ErrInvalidInput) = false, want true", err)
	}
	if got, want := err.Error(), `EnsureShare share "a b": invalid share "a b": name contains a space`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
