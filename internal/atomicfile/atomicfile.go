// Package atomicfile writes a file in one rename, so a reader never sees
// half of it: a report a CI system takes for whole, a cache state the next
// scan trusts.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/channelguard/channelguard/internal/pathless"
)

// Write replaces path with data in one rename. A path that is not a
// regular file (/dev/null, /dev/stdout, a named pipe) is written to as it
// is: renaming over it would replace the device with a file, and run as
// root, `-o /dev/null` would leave every other program a /dev/null that
// holds the last report.
func Write(path string, data []byte) (err error) {
	if info, statErr := os.Stat(path); statErr == nil && !info.Mode().IsRegular() && !info.IsDir() {
		return writeSpecial(path, data)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	return nil
}

// writeSpecial writes data to a device or pipe, which cannot be replaced
// atomically (nor needs to be: nothing reads it back as a whole report).
func writeSpecial(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, pathless.Err(err))
	}
	return nil
}
