package ozgctl

import (
	"io"
	"os"

	"golang.org/x/term"
)

// terminalWidth reports whether w is a terminal and, if it can tell, how
// many columns it has (0 otherwise).
func terminalWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, true
	}
	return width, true
}
