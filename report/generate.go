package report

// The rule pages under docs/rules/ are rendered by RuleMarkdown and
// RulesIndexMarkdown from the check registry; `go generate ./...` rewrites
// them and internal/gendocs's test fails when they are stale.

//go:generate go run ../internal/gendocs -out ../docs/rules
