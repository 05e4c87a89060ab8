package parser

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// This file reads the files named on the command line and everything
// they include, the way `nft -f` does (nftables src/scanner.l,
// src/libnftables.c). resolve.go binds defines and $variables while the
// files are walked in nft's order.

// Error codes of the input rules (see checks/input.go).
const (
	CodeSyntax  = "NFT001" // the file is not valid nft syntax
	CodeInclude = "NFT002" // an include, a file or a $variable cannot be resolved
	CodeLimit   = "NFT003" // the input exceeds one of nftlint's limits
)

// MaxIncludeDepth is nft's limit on nested files: the file named on the
// command line is level 1, and a file at level 16 may not include.
const MaxIncludeDepth = 16

// DefaultIncludeDir is where nft looks for relative includes last (its
// build-time default, /etc on every distribution we know of).
const DefaultIncludeDir = "/etc"

// Limits bound the work a hostile or broken input can cause. A zero field
// means the default.
type Limits struct {
	MaxFileSize int64 // bytes per file (default 64 MiB)
	// MaxTotalSize caps the bytes of all the files of one root together,
	// includes counted each time they are read (default and maximum
	// MaxFileSetSize: positions are 32-bit offsets into the file set).
	MaxTotalSize   int64
	MaxIncludes    int // included files per root, counting repeats (default 10,000)
	MaxGlobMatches int // files one include pattern may match (default 1,000)
	// MaxExpansion caps the number of AST nodes one define expands to
	// once the $variables inside it are substituted (default 1,048,576):
	// a chain of defines that each use the previous one twice doubles at
	// every step.
	MaxExpansion int
	// MaxTotalExpansion caps the sum of the expanded sizes of all $var
	// uses (default 1,048,576, as much as one define may expand to).
	MaxTotalExpansion int
	// Checked on each file before it is parsed (loader_limits.go); a file
	// over one of them is reported (NFT003) and not parsed.
	MaxLineLength   int // bytes per line (default DefaultMaxLineLength)
	MaxTokenLength  int // bytes per word or quoted string (default DefaultMaxTokenLength)
	MaxNestingDepth int // open braces, parentheses and brackets (default DefaultMaxNestingDepth)
	// MaxErrors caps the input errors reported per root (default
	// DefaultMaxErrors); the parser also stops after 100 per file.
	MaxErrors int
}

// DefaultLimits returns the limits used when LoadConfig.Limits is zero.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:       64 << 20,
		MaxTotalSize:      MaxFileSetSize,
		MaxIncludes:       10000,
		MaxGlobMatches:    1000,
		MaxExpansion:      1 << 20,
		MaxTotalExpansion: 1 << 20,
		MaxLineLength:     DefaultMaxLineLength,
		MaxTokenLength:    DefaultMaxTokenLength,
		MaxNestingDepth:   DefaultMaxNestingDepth,
		MaxErrors:         DefaultMaxErrors,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxTotalSize <= 0 || l.MaxTotalSize > MaxFileSetSize {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxIncludes <= 0 {
		l.MaxIncludes = d.MaxIncludes
	}
	if l.MaxGlobMatches <= 0 {
		l.MaxGlobMatches = d.MaxGlobMatches
	}
	if l.MaxExpansion <= 0 {
		l.MaxExpansion = d.MaxExpansion
	}
	if l.MaxTotalExpansion <= 0 {
		l.MaxTotalExpansion = d.MaxTotalExpansion
	}
	if l.MaxLineLength <= 0 {
		l.MaxLineLength = d.MaxLineLength
	}
	if l.MaxTokenLength <= 0 {
		l.MaxTokenLength = d.MaxTokenLength
	}
	if l.MaxNestingDepth <= 0 {
		l.MaxNestingDepth = d.MaxNestingDepth
	}
	if l.MaxErrors <= 0 {
		l.MaxErrors = d.MaxErrors
	}
	return l
}

// Source is one input named on the command line.
type Source struct {
	Name string // the path as given; "-" for standard input
	Src  []byte // the content when already read (kept, not copied: do not modify it afterwards); nil to read Name
	// RegularOnly refuses anything but a regular file (after following
	// links). Set it for files found by walking a directory: a link named
	// x.nft to a FIFO or to /proc/self/fd/0 would otherwise block the run.
	// A FIFO named on the command line is read, as nft reads `-f <(…)`.
	RegularOnly bool
}

// LoadConfig says where includes are searched and what may be read.
type LoadConfig struct {
	// Dir is the working directory: includes starting with ./ or ../ and
	// relative file names are resolved against it. "" means the process's
	// working directory.
	Dir string
	// IncludePaths are the -I/--includepath directories, in order.
	IncludePaths []string
	// DefaultIncludeDir replaces DefaultIncludeDir ("" keeps it). It is
	// searched only when IncludeOutside is set.
	DefaultIncludeDir string
	// IncludeOutside lets includes leave the linted file's directory tree
	// and the IncludePaths. By default they may not, so that linting an
	// untrusted file never reads (or reports on) other files of the host.
	IncludeOutside bool
	// Stdin is read for the source "-" when its Src is nil (default os.Stdin).
	Stdin  io.Reader
	Limits Limits
	// InputFormat is "text", "json", or "" to detect it as nft does: JSON
	// when the first non-blank byte is '{' (added with json_load.go).
	InputFormat string
}

// LoadResult is everything the loader produced.
type LoadResult struct {
	Files *FileSet
	// ASTs are the files named on the command line that could be read,
	// in order. Included files hang off IncludeCmd.Files.
	ASTs []*AST
	// Errors are the syntax (NFT001), include and variable (NFT002) and
	// limit (NFT003) errors, in the order they were found.
	Errors ErrorList
	// Definitions lists every define and redefine, in the order nft
	// processes them, with the $variable uses bound to each.
	Definitions []*Definition
	// Included counts the included files read.
	Included int
}

// Definition is one define or redefine and the uses bound to it.
type Definition struct {
	Cmd *DefineCmd
	// Uses are the $name references bound to Cmd, in order. Uses inside
	// `log prefix "…$name…"` strings are VarRefs made by the loader, with
	// the position of the '$' inside the string.
	Uses []*VarRef
	// Size is the number of AST nodes the value expands to.
	Size int
	// Exploded is set when Size exceeds Limits.MaxExpansion; uses then get
	// a BadExpr as Value so that nothing expands the value further.
	Exploded bool
}

// Load reads, parses and resolves the roots in order. Each root is one
// `nft -f` run: it starts with no variables and gets its own include
// search path. The returned error reports roots that could not be read at
// all (the command line named something unreadable); problems inside the
// input are in LoadResult.Errors.
func Load(fset *FileSet, cfg LoadConfig, roots ...Source) (*LoadResult, error) {
	if fset == nil {
		fset = NewFileSet()
	}
	l := &loader{
		fset: fset,
		cfg:  cfg,
		lim:  cfg.Limits.withDefaults(),
		res:  &LoadResult{Files: fset},
	}
	var rootErrs []error
	cwd, err := l.workDir()
	if err != nil {
		return l.res, err
	}
	l.cwd = cwd
	for _, root := range roots {
		if err := l.loadRoot(root); err != nil {
			rootErrs = append(rootErrs, err)
		}
	}
	return l.res, errors.Join(rootErrs...)
}

type loader struct {
	fset *FileSet
	cfg  LoadConfig
	lim  Limits
	res  *LoadResult
	cwd  string // absolute, symlinks resolved

	// Per root.
	searchDirs []string   // nft's include path: -I dirs, then the root's directory
	allowed    []string   // confinement: directory trees includes may read from
	stack      []openFile // the files being read, outermost first
	included   int        // files included so far for this root
	errCount   int        // input errors recorded for this root
}

// openFile is one file on the include stack.
type openFile struct {
	real string // path with symlinks resolved, for cycle detection
	name string // as reported
}

func (l *loader) workDir() (string, error) {
	dir := l.cfg.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("cannot determine the working directory: %w", err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs, nil
}

// abs makes p absolute against the working directory.
func (l *loader) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(l.cwd, p)
}

// realDir returns dir absolute with symlinks resolved, as nft's realpath();
// ok is false when the directory does not exist.
func (l *loader) realDir(dir string) (string, bool) {
	real, err := filepath.EvalSymlinks(l.abs(dir))
	if err != nil {
		return "", false
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", false
	}
	return real, true
}

// displayName is how an included file is named in reports: relative to
// the working directory when inside it, else absolute.
func (l *loader) displayName(abs string) string {
	if rel, err := filepath.Rel(l.cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

func (l *loader) loadRoot(root Source) error {
	name := root.Name
	src := root.Src
	isStdin := name == "-"
	l.errCount = 0
	if src == nil {
		var err error
		if isStdin {
			src, err = l.readStdin()
		} else {
			src, err = readFile(l.abs(name), l.lim.MaxFileSize, !root.RegularOnly)
		}
		if err != nil {
			var tooBig *tooLargeError
			if !errors.As(err, &tooBig) {
				return fmt.Errorf("%s: %w", name, err)
			}
			// Over the size limit: report it as an NFT003 finding on the
			// file rather than failing the run.
			f := l.fset.AddFile(cleanName(name), nil)
			l.errorAt(CodeLimit, f.Pos(0), NoPos, tooBig.message(cleanName(name)))
			return nil
		}
	}
	if !isStdin {
		name = cleanName(name)
	}

	// nft's include path for this run: the -I directories in order, then
	// the directory of the -f file (libnftables.c adds it after the
	// command-line options), each canonicalised and deduplicated; the
	// default directory comes last and is never duplicated.
	l.searchDirs = l.searchDirs[:0]
	l.allowed = l.allowed[:0]
	defDir := l.defaultDir()
	addDir := func(dir string, allow bool) {
		real, ok := l.realDir(dir)
		if !ok {
			return // nft drops include paths that do not exist
		}
		if allow {
			l.allowed = append(l.allowed, real)
		}
		if real == defDir {
			return
		}
		for _, d := range l.searchDirs {
			if d == real {
				return
			}
		}
		l.searchDirs = append(l.searchDirs, real)
	}
	for _, dir := range l.cfg.IncludePaths {
		addDir(dir, true)
	}
	var rootReal string
	if isStdin {
		// nft adds no directory for stdin; confine to the working directory.
		l.allowed = append(l.allowed, l.cwd)
	} else {
		abs := l.abs(name)
		addDir(filepath.Dir(abs), true)
		rootReal = abs
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			rootReal = r
		}
	}

	if l.isJSONRoot(src) { // nft JSON input: see json_load.go
		if !l.admit(name, src) {
			return nil
		}
		l.res.ASTs = append(l.res.ASTs, l.parseJSON(name, src))
		return nil
	}
	ast, ok := l.parse(name, src, "")
	if !ok {
		return nil // over a limit: reported, nothing to resolve
	}
	l.res.ASTs = append(l.res.ASTs, ast)
	l.stack = append(l.stack[:0], openFile{real: rootReal, name: name})
	l.included = 0
	r := newResolution(l)
	r.file(ast, r.top, "")
	r.finish()
	return nil
}

func (l *loader) defaultDir() string {
	dir := l.cfg.DefaultIncludeDir
	if dir == "" {
		dir = DefaultIncludeDir
	}
	if real, ok := l.realDir(dir); ok {
		return real
	}
	return filepath.Clean(dir)
}

func (l *loader) readStdin() ([]byte, error) {
	r := l.cfg.Stdin
	if r == nil {
		r = os.Stdin
	}
	return readLimited(r, l.lim.MaxFileSize)
}

// cleanName cleans a command-line path for reports: cleaned, with /
// separators.
func cleanName(name string) string {
	return filepath.ToSlash(filepath.Clean(name))
}

// errorAt records a loader error at [pos, end) and returns it (nil when
// over MaxErrors).
func (l *loader) errorAt(code string, pos, end Pos, msg string, related ...Related) *Error {
	e := &Error{Pos: l.fset.Position(pos), Msg: msg, Code: code, Related: related}
	e.End = e.Pos
	if end.IsValid() {
		e.End = l.fset.Position(end)
	}
	return l.addError(e)
}

// related makes a Related note at the node's range.
func (l *loader) related(n Node, msg string) Related {
	return Related{Pos: l.fset.Position(n.Pos()), End: l.fset.Position(n.End()), Msg: msg}
}

// ---------------------------------------------------------------------------
// include

// includedFile is one file an include pulled in.
type includedFile struct {
	ast  *AST
	real string // path with symlinks resolved
}

// include reads the files an include names and parses each, in the order
// nft reads them. ctx is the object whose block holds the include (""
// at top level). Problems are reported at the include.
func (l *loader) include(inc *IncludeCmd, ctx ObjectKind) []includedFile {
	if inc.Path == nil {
		return nil
	}
	if len(l.stack) >= MaxIncludeDepth {
		l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
			"include nested too deeply: nft allows at most %d levels of files and rejects the whole file; flatten the includes",
			MaxIncludeDepth))
		return nil
	}
	paths, ok := l.resolveInclude(inc)
	if !ok {
		return nil
	}
	var files []includedFile
	for _, p := range paths {
		if f, ok := l.includeFile(inc, p, ctx); ok {
			files = append(files, f)
		}
	}
	return files
}

// includeFile reads and parses one matched file.
func (l *loader) includeFile(inc *IncludeCmd, abs string, ctx ObjectKind) (includedFile, bool) {
	name := l.displayName(abs)
	_, err := os.Stat(abs) // for the system's own words: loops, dangling links
	real := abs
	if err == nil {
		real, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
			"cannot include %q: %s; nft rejects the whole file, fix the path or the link", name, errText(err)))
		return includedFile{}, false
	}
	if !l.cfg.IncludeOutside && !l.isAllowed(real) {
		// The target is not named: a link could point anywhere on the
		// host running the lint, and the report may be published.
		l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
			"include %q: %s leads through a symbolic link outside the linted file's directory and the -I paths; nftlint does not read it unless --include-outside is given",
			inc.Path.Value, name))
		return includedFile{}, false
	}
	if fi, err := os.Stat(real); err == nil && fi.IsDir() {
		l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
			"include %q names the directory %s: nft silently includes nothing from a directory; to include its files write %q",
			inc.Path.Value, name, strings.TrimSuffix(inc.Path.Value, "/")+"/*.nft"))
		return includedFile{}, false
	}
	for i, f := range l.stack {
		if f.real == real {
			chain := make([]string, 0, len(l.stack)-i+1)
			for _, g := range l.stack[i:] {
				chain = append(chain, g.name)
			}
			chain = append(chain, name)
			l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
				"include cycle %s: nft would recurse until it gives up and rejects the file; remove one of these includes",
				strings.Join(chain, " -> ")))
			return includedFile{}, false
		}
	}
	if l.included >= l.lim.MaxIncludes {
		if l.included == l.lim.MaxIncludes {
			l.errorAt(CodeLimit, inc.Pos(), inc.End(), fmt.Sprintf(
				"more than %d included files; nftlint stops including here: reduce the includes or raise the limit", l.lim.MaxIncludes))
			l.included++
		}
		return includedFile{}, false
	}
	src, err := readFile(abs, l.lim.MaxFileSize, false)
	if err != nil {
		var tooBig *tooLargeError
		if errors.As(err, &tooBig) {
			l.errorAt(CodeLimit, inc.Pos(), inc.End(), tooBig.message(name))
		} else {
			l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
				"cannot include %q: %s; nft rejects the whole file", name, errText(err)))
		}
		return includedFile{}, false
	}
	l.included++
	l.res.Included++
	ast, ok := l.parse(name, src, ctx)
	if !ok {
		return includedFile{}, false
	}
	ast.File.IncludedFrom = inc.Pos()
	return includedFile{ast: ast, real: real}, true
}

// parse parses one file and records its syntax errors. nft splices an
// included file into the including block, so a file included inside a
// table or chain block holds that block's items: ctx is the block's kind,
// "" for a root or a top-level include. ok is false when the file
// exceeds a limit checked before parsing; it was then reported and added
// to the file set without its content.
func (l *loader) parse(name string, src []byte, ctx ObjectKind) (*AST, bool) {
	if !l.admit(name, src) {
		return nil, false
	}
	if v := l.lim.precheck(src); v != nil {
		l.refuse(name, src, v)
		return nil, false
	}
	ast, errs := ParseItems(l.fset, name, src, ctx)
	for _, e := range errs {
		if e.Code == "" {
			e.Code = CodeSyntax
		}
		l.addError(e)
	}
	return ast, true
}

// admit reports whether src still fits in the root's MaxTotalSize with
// the files read before it; if not, it reports that (NFT003) and adds the
// file to the set without its content.
func (l *loader) admit(name string, src []byte) bool {
	if int64(l.fset.Size())+int64(len(src)) <= l.lim.MaxTotalSize {
		return true
	}
	l.refuse(name, src, &limitViolation{msg: fmt.Sprintf(
		"%s would bring the files of this input to more than %d bytes; nftlint does not read it: split the ruleset into inputs linted one by one",
		name, l.lim.MaxTotalSize)})
	return false
}

// mayLook reports whether the loader may look at path (a file or a glob
// pattern) at all: always with IncludeOutside, else only when the path,
// cleaned lexically, lies in an allowed tree. Symbolic links are checked
// once resolved (includeFile, glob), this check keeps the loader from
// even testing whether a file outside exists.
func (l *loader) mayLook(path string) bool {
	return l.cfg.IncludeOutside || l.isAllowed(filepath.Clean(path))
}

// mayList reports whether glob may read the directory dir: when
// confined, only directories whose real path is in an allowed tree, so
// that a link to an outside directory matched by a wildcard does not
// reveal its file names.
func (l *loader) mayList(dir string) bool {
	if l.cfg.IncludeOutside {
		return true
	}
	real, err := filepath.EvalSymlinks(dirOrDot(dir))
	return err == nil && l.isAllowed(real)
}

func (l *loader) isAllowed(real string) bool {
	for _, dir := range l.allowed {
		if within(real, dir) {
			return true
		}
	}
	return false
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// searchesIncludePath mirrors nft: only paths that are not absolute and do
// not start with ./ or ../ are searched in the include directories.
func searchesIncludePath(p string) bool {
	return !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") && !strings.HasPrefix(p, "/")
}

// hasGlobMeta reports whether p contains one of glob's magic characters,
// the test nft uses to tell a pattern from a plain path.
func hasGlobMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// resolveInclude returns the absolute paths of the files an include
// reads. ok is false after an error was reported.
func (l *loader) resolveInclude(inc *IncludeCmd) (paths []string, ok bool) {
	p := inc.Path.Value
	wildcard := hasGlobMeta(p)
	var dirs []string
	if searchesIncludePath(p) {
		dirs = append(dirs, l.searchDirs...)
		if l.cfg.IncludeOutside {
			dirs = append(dirs, l.defaultDir())
		}
	}
	outside := false // a candidate was skipped for lying outside the tree
	try := func(pattern string) (found bool, matchErr bool) {
		if !l.mayLook(pattern) {
			outside = true
			return false, false
		}
		files, found, tooMany := l.glob(pattern)
		if tooMany {
			l.errorAt(CodeLimit, inc.Pos(), inc.End(), fmt.Sprintf(
				"include pattern %q matches more than %d files; nftlint stops here: narrow the pattern or raise the limit",
				p, l.lim.MaxGlobMatches))
			return found, true
		}
		paths = append(paths, files...)
		return found, false
	}
	if !searchesIncludePath(p) {
		found, bad := try(l.abs(p))
		if bad {
			return nil, false
		}
		if (found || wildcard) && !outside {
			return paths, true
		}
	} else {
		for _, dir := range dirs {
			found, bad := try(dir + "/" + p)
			if bad {
				return nil, false
			}
			if found && !wildcard {
				return paths, true // a plain path stops at the first directory that has it
			}
		}
		if wildcard && (len(paths) > 0 || !outside) {
			return paths, true // patterns collect matches from every directory
		}
	}
	if outside {
		l.errorAt(CodeInclude, inc.Pos(), inc.End(), fmt.Sprintf(
			"include %q is outside the linted file's directory and the -I paths; nftlint neither reads it nor looks whether it exists unless --include-outside is given",
			p))
		return nil, false
	}
	msg := fmt.Sprintf("include file %q not found", p)
	if searchesIncludePath(p) {
		shown := make([]string, len(dirs))
		for i, d := range dirs {
			shown[i] = filepath.ToSlash(d)
		}
		msg += fmt.Sprintf(" in %s", strings.Join(shown, ", "))
		if !l.cfg.IncludeOutside {
			// Probe the default directory only: "x/../../y" would look
			// elsewhere on the host.
			if probe := filepath.Join(l.defaultDir(), p); within(probe, l.defaultDir()) && exists(probe) {
				msg += fmt.Sprintf(" (it exists in %s, which nftlint searches only with --include-outside)", filepath.ToSlash(l.defaultDir()))
			}
		}
	} else if !filepath.IsAbs(p) {
		msg += fmt.Sprintf(" (./ and ../ are relative to the working directory %s, not to the including file)", filepath.ToSlash(l.cwd))
	}
	msg += "; nft rejects the whole file: fix the path or add its directory with -I"
	l.errorAt(CodeInclude, inc.Pos(), inc.End(), msg)
	return nil, false
}

// glob expands pattern like glob(3) with GLOB_NOESCAPE|GLOB_MARK as nft
// calls it: matches sorted in byte order, names starting with '.' matched
// only by a pattern component starting with '.', directories (also
// through symlinks) dropped. found reports whether anything matched,
// directories included: a plain path naming a directory ends nft's search
// without reading anything. tooMany is set when more than MaxGlobMatches
// entries matched.
func (l *loader) glob(pattern string) (files []string, found, tooMany bool) {
	if !hasGlobMeta(pattern) {
		if _, err := os.Lstat(pattern); err != nil {
			return nil, false, false
		}
		// A directory is returned too: includeFile reports it (nft
		// silently reads nothing from it).
		return []string{pattern}, true, false
	}
	// Expand component by component from the first one with a wildcard.
	vol := filepath.VolumeName(pattern)
	rest := pattern[len(vol):]
	parts := strings.Split(filepath.ToSlash(rest), "/")
	prefix := vol
	if strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
		parts = parts[1:]
	}
	candidates := []string{prefix}
	limit := l.lim.MaxGlobMatches
	for i, part := range parts {
		last := i == len(parts)-1
		if part == "" {
			if last {
				// A trailing slash matches directories only, which nft skips.
				return nil, len(candidates) > 0, false
			}
			continue
		}
		var next []string
		for _, base := range candidates {
			if !hasGlobMeta(part) {
				p := joinGlob(base, part)
				if _, err := os.Lstat(p); err == nil {
					next = append(next, p)
				}
				continue
			}
			if !l.mayList(base) {
				continue
			}
			entries, err := os.ReadDir(dirOrDot(base))
			if err != nil {
				continue // glob(3) without GLOB_ERR skips unreadable directories
			}
			pat := strings.ReplaceAll(part, `\`, `\\`) // GLOB_NOESCAPE
			for _, e := range entries {
				n := e.Name()
				if strings.HasPrefix(n, ".") && !strings.HasPrefix(part, ".") {
					continue
				}
				if ok, _ := filepath.Match(pat, n); ok {
					next = append(next, joinGlob(base, n))
				}
			}
			if len(next) > limit {
				return nil, true, true
			}
		}
		candidates = next
		if len(candidates) == 0 {
			return nil, false, false
		}
	}
	sort.Strings(candidates) // C-locale order: bytewise on the whole path
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			continue
		}
		files = append(files, c)
	}
	return files, len(candidates) > 0, false
}

// exists reports whether path names anything, a dangling link included.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func joinGlob(base, name string) string {
	if base == "" {
		return name
	}
	if strings.HasSuffix(base, string(filepath.Separator)) {
		return base + name
	}
	return base + string(filepath.Separator) + name
}

func dirOrDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// ---------------------------------------------------------------------------
// reading files

// tooLargeError is returned when a file exceeds MaxFileSize.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string { return fmt.Sprintf("larger than %d bytes", e.limit) }

func (e *tooLargeError) message(name string) string {
	return fmt.Sprintf("file %q is larger than nftlint's limit of %d bytes and was not read; split it or raise the limit", name, e.limit)
}

// errNotRegular is returned for FIFOs, devices, sockets and directories.
var errNotRegular = errors.New("not a regular file (nft includes only regular files; FIFOs and devices are refused)")

// readFile reads a regular file of at most max bytes without ever
// blocking on a FIFO or reading a device. cmdline allows FIFOs, as nft
// does for the -f file (process substitution).
func readFile(path string, max int64, cmdline bool) ([]byte, error) {
	f, err := openRegular(path, cmdline)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A regular file is read into a buffer of its size (one byte more to
	// see EOF, or growth since the stat) instead of one grown step by step:
	// io.ReadAll would allocate about twice the file on the way.
	size := 0
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= max {
		size = int(fi.Size())
	}
	return readSized(f, max, size)
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	return readSized(r, max, 0)
}

// readSized reads r to its end, at most limit bytes, starting with a
// buffer for size bytes.
func readSized(r io.Reader, limit int64, size int) ([]byte, error) {
	buf := make([]byte, 0, max(size+1, 512))
	lr := io.LimitReader(r, limit+1)
	for {
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append pick the next size
		}
	}
	if int64(len(buf)) > limit {
		return nil, &tooLargeError{limit: limit}
	}
	return buf, nil
}

// usable reports whether a file of this mode may be read.
func usable(mode fs.FileMode, cmdline bool) bool {
	if mode.IsRegular() {
		return true
	}
	return cmdline && mode&fs.ModeNamedPipe != 0
}

// errText renders a file error without repeating the path.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}

// openRegular opens path for reading after checking, as nft does with
// stat(2) before fopen(3), that it is a regular file (or, for the file
// named on the command line, a FIFO), so that a FIFO or a device is never
// opened. The check is repeated on the open file.
func openRegular(path string, cmdline bool) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !usable(fi.Mode(), cmdline) {
		return nil, errNotRegular
	}
	flag := os.O_RDONLY
	if fi.Mode().IsRegular() {
		flag |= nonblockFlag
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, err
	}
	if fi2, err := f.Stat(); err != nil || !usable(fi2.Mode(), cmdline) || (fi.Mode().IsRegular() && !fi2.Mode().IsRegular()) {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, errNotRegular
	}
	return f, nil
}
