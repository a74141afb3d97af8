package bot_test

import (
	"io"
	"testing"
)

// ioPipe returns a reader that blocks until written to or closed, like an idle terminal.
func ioPipe(t *testing.T) (*io.PipeReader, *io.PipeWriter) {
	t.Helper()
	r, w := io.Pipe()
	t.Cleanup(func() { _ = r.Close() })
	return r, w
}
