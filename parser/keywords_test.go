package parser

import "testing"

// TestKeywordTable checks that the word lookup table agrees with the
// keyword maps it is built from, for every word of every map and for
// words in none.
func TestKeywordTable(t *testing.T) {
	tables := []struct {
		name  string
		words map[string]bool
		class wordClass
	}{
		{"reservedWords", reservedWords, wcReserved}, {"valueKeywords", valueKeywords, wcValue},
		{"selectorHeads", selectorHeads, wcSelectorHead}, {"metaKeys", metaKeys, wcMetaKey},
		{"unqualifiedMetaKeys", unqualifiedMetaKeys, wcUnqualifiedMeta}, {"ctKeys", ctKeys, wcCtKey},
		{"families", families, wcFamily}, {"verbs", verbs, wcVerb}, {"objectWords", objectWords, wcObject},
		{"pluralWords", pluralWords, wcPlural}, {"statefulStmtWords", statefulStmtWords, wcStateful},
		{"natFlags", natFlags, wcNatFlag}, {"verdictWords", verdictWords, wcVerdict},
		{"objTypeWords", objTypeWords, wcObjType}, {"innerOuter", innerOuter, wcInnerOuter},
		{"innerL2", innerL2, wcInnerL2}, {"innerL3", innerL3, wcInnerL3},
	}
	all := map[string]bool{"": true, "foo": true, "input": true, "eth0": true, "a": true, "ip6x": true, "sadd": true}
	for _, tb := range tables {
		for w := range tb.words {
			all[w] = true
		}
	}
	for w := range binWords {
		all[w] = true
	}
	for w := range relWords {
		all[w] = true
	}
	for h, fs := range scopeWords {
		all[h] = true
		for f := range fs {
			all[f] = true
		}
	}
	if len(scopeHeads) > 64 {
		t.Fatalf("%d scope heads: a uint64 holds 64", len(scopeHeads))
	}
	for w := range all {
		c := classOf(w)
		for _, tb := range tables {
			if got := c&tb.class != 0; got != tb.words[w] {
				t.Errorf("%q in %s: table says %v, map says %v", w, tb.name, got, tb.words[w])
			}
		}
		if _, ok := binWords[w]; ok != (c&wcBinWord != 0) {
			t.Errorf("%q in binWords: table says %v", w, !ok)
		}
		if _, ok := relWords[w]; ok != (c&wcRelWord != 0) {
			t.Errorf("%q in relWords: table says %v", w, !ok)
		}
		for head := range all {
			if got, want := isField(head, w), payloadFields[head][w]; got != want {
				t.Errorf("isField(%q, %q) = %v, want %v", head, w, got, want)
			}
			if got, want := isScopeWord(head, w), scopeWords[head][w]; got != want {
				t.Errorf("isScopeWord(%q, %q) = %v, want %v", head, w, got, want)
			}
		}
	}
}
