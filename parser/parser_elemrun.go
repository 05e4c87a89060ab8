package parser

import "os"

// packElementsEnv is the environment variable that makes the parser
// produce ElemRuns while their consumers are being adapted; packing
// becomes the default once they all handle runs.
const packElementsEnv = "NFTLINT_PACK_ELEMENTS"

// elemPacking is the packing state of one set literal: whether packing is
// on (read from the environment at the literal's first element) and the
// run that plain elements are appended to (nil when the last element was
// not plain).
type elemPacking struct {
	checked, on bool
	run         *ElemRun
}

// parseElemPacked parses the set element at the current token: a plain
// element joins the current run (it returns the run when it starts a new
// one and nil otherwise); anything else ends the run and is parsed by
// parseElem.
func (p *parser) parseElemPacked(pk *elemPacking) Expr {
	if !pk.checked {
		pk.checked = true
		pk.on = os.Getenv(packElementsEnv) == "1"
	}
	pk.run = nil
	return p.parseElem()
}
