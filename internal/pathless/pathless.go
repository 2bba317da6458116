// Package pathless strips the path from file-system errors: channelguard's
// messages name the file once, in front ("config x.toml: permission
// denied"), not twice.
package pathless

import (
	"errors"
	"io/fs"
	"os"
)

// Err returns the cause of an *fs.PathError or *os.LinkError, or err.
func Err(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
