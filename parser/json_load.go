package parser

// The loader's entry to nft JSON input (the hook in loadRoot).

// isJSONRoot reports whether a file named on the command line is read as
// nft JSON: forced by LoadConfig.InputFormat, else detected like nft.
func (l *loader) isJSONRoot(src []byte) bool {
	switch l.cfg.InputFormat {
	case "json":
		return true
	case "text":
		return false
	}
	return IsJSON(src)
}

// parseJSON parses a JSON root and records its errors. JSON has no
// includes and no variables, so there is nothing to resolve; the
// pre-parse limits of text files do not apply either (`nft -j list
// ruleset` prints the whole ruleset on one line) — the JSON scanner
// bounds nesting itself.
func (l *loader) parseJSON(name string, src []byte) *AST {
	ast, errs := ParseJSON(l.fset, name, src)
	for _, e := range errs {
		if e.Code == "" {
			e.Code = CodeSyntax
		}
		l.addError(e)
	}
	return ast
}
