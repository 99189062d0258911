package xregiontest

// TotalCalls returns how many calls reached the workspace's services, of
// every method, failed ones included (see [Workspace.Calls]): what a run
// cost in requests.
func (w *Workspace) TotalCalls() int {
	defer w.lock()()
	n := 0
	for _, c := range w.calls {
		n += c
	}
	return n
}
