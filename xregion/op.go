package xregion

// Op says what a step did to one resource.
type Op string

const (
	// OpUnchanged means the resource already matched the desired state and
	// nothing was written.
	OpUnchanged Op = "unchanged"
	// OpCreated means the resource did not exist and was created.
	OpCreated Op = "created"
	// OpUpdated means the resource existed and was changed.
	OpUpdated Op = "updated"
)

// Wrote reports whether op stands for a write.
func (op Op) Wrote() bool { return op == OpCreated || op == OpUpdated || op == OpRemoved }
