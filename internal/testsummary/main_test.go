package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	const stream = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:3: noise of a passing test\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:4: MEASURED 10/10 files\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:2: KERNELTEST ran\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: want 1, got 2\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}
{"Action":"fail","Package":"p"}
{"Action":"output","Package":"q","Output":"ok  \tq\t0.02s\n"}
{"Action":"pass","Package":"q"}
`
	var out strings.Builder
	rc := summarize(strings.NewReader(stream), &out)
	got := out.String()
	if rc != 1 {
		t.Errorf("exit code %d, want 1 for a failed test", rc)
	}
	for _, want := range []string{"p: a_test.go:4: MEASURED 10/10 files", "want 1, got 2", "--- FAIL: TestB", "FAIL\tp", "ok  \tq", "MEASURED kernel tests run: 1 (1 passed, 0 failed)"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "noise of a passing test") {
		t.Errorf("summary shows the log of a passing test:\n%s", got)
	}

	out.Reset()
	if rc := summarize(strings.NewReader(`{"Action":"pass","Package":"q"}`+"\n"), &out); rc != 0 {
		t.Errorf("exit code %d for an all-pass stream", rc)
	}
}
