package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/nftlint/nftlint/checks"
)

// Conflict is a fix that was not applied because its edits overlap the
// edits of a fix applied before it, or fall outside the file.
type Conflict struct {
	Diagnostic checks.Diagnostic
	Reason     string
}

// ApplyFixes applies the first fix of every unsuppressed diagnostic, in
// order, to sources (file name → content). A fix is applied whole or not
// at all: one whose edits overlap an accepted edit or leave the file is
// refused and returned as a conflict (running --fix again applies it to
// the fixed text). Identical edits from several findings apply once. The
// result holds the new content of every changed file.
func ApplyFixes(sources map[string][]byte, diags []checks.Diagnostic) (map[string][]byte, []Conflict) {
	accepted := map[string][]checks.TextEdit{}
	var conflicts []Conflict

	overlaps := func(e checks.TextEdit) (dup, clash bool) {
		for _, a := range accepted[e.Filename] {
			if a == e {
				return true, false
			}
			// Half-open ranges overlap when each starts before the other
			// ends. Insertions at the same point do not clash: they are
			// applied in the order of the findings, which is sorted.
			if e.Start < a.End && a.Start < e.End {
				return false, true
			}
		}
		return false, false
	}

	for _, d := range diags {
		if d.Suppressed != nil || len(d.Fixes) == 0 {
			continue
		}
		fix := d.Fixes[0]
		var fresh []checks.TextEdit
		reason := ""
		for _, e := range fix.Edits {
			src, ok := sources[e.Filename]
			switch {
			case !ok:
				reason = fmt.Sprintf("it edits %s, which is not an input file", e.Filename)
			case e.Start < 0 || e.End < e.Start || e.End > len(src):
				reason = fmt.Sprintf("its edit [%d,%d) lies outside %s", e.Start, e.End, e.Filename)
			}
			if reason != "" {
				break
			}
			dup, clash := overlaps(e)
			if clash {
				reason = "it overlaps another fix; run --fix again to apply it to the fixed text"
				break
			}
			// Edits of the same fix must not overlap each other either.
			for _, f := range fresh {
				if f.Filename == e.Filename && e.Start < f.End && f.Start < e.End {
					reason = "its own edits overlap"
				}
			}
			if reason != "" {
				break
			}
			if !dup {
				fresh = append(fresh, e)
			}
		}
		if reason != "" {
			conflicts = append(conflicts, Conflict{Diagnostic: d, Reason: reason})
			continue
		}
		for _, e := range fresh {
			accepted[e.Filename] = append(accepted[e.Filename], e)
		}
	}

	out := map[string][]byte{}
	for name, edits := range accepted {
		sort.SliceStable(edits, func(i, j int) bool {
			if edits[i].Start != edits[j].Start {
				return edits[i].Start < edits[j].Start
			}
			return edits[i].End < edits[j].End
		})
		src := sources[name]
		var buf []byte
		last := 0
		for _, e := range edits {
			buf = append(buf, src[last:e.Start]...)
			buf = append(buf, e.NewText...)
			last = e.End
		}
		buf = append(buf, src[last:]...)
		if string(buf) != string(src) {
			out[name] = buf
		}
	}
	return out, conflicts
}

// WriteFileAtomic replaces the content of name with data so that readers
// see either the old or the new content, never a mix, and a failure
// leaves the old content in place: the data goes to a temporary file in
// the same directory, is synced, and renamed over the target. A symbolic
// link is followed: its target is written and the link stays. The file
// keeps its permission bits; a new file gets perm.
func WriteFileAtomic(name string, data []byte, perm os.FileMode) error {
	target := name
	if real, err := filepath.EvalSymlinks(name); err == nil {
		target = real
	}
	mode := perm
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", name)
		}
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".nftlint-*")
	if err != nil {
		// The temporary name is random: leave it out of the message.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: cannot create a temporary file next to it: %w", name, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := os.Rename(tmpName, target); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	ok = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the platform allows syncing a
// directory; failures are ignored (the rename itself succeeded).
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
