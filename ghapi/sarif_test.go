package ghapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func TestUploadSARIF(t *testing.T) {
	f := newFake(t)
	f.handle("POST /repos/o/r/code-scanning/sarifs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, http.StatusAccepted, map[string]string{"id": "47177e22-5596-11eb-80a1-c1e54ef945c6",
			"url": "https://api.github.com/repos/o/r/code-scanning/sarifs/47177e22"}, 0, 0)
	})
	sarif := []byte(`{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}`)
	id, err := f.client().UploadSARIF(context.Background(), Repo{"o", "r"}, "refs/pull/7/head", "deadbeef", sarif)
	if err != nil {
		t.Fatal(err)
	}
	if id != "47177e22-5596-11eb-80a1-c1e54ef945c6" {
		t.Errorf("id = %q", id)
	}
	reqs := f.requests()
	assertLines(t, f.lines(), []string{"POST /repos/o/r/code-scanning/sarifs"})
	var sent struct {
		CommitSHA string `json:"commit_sha"`
		Ref       string `json:"ref"`
		Sarif     string `json:"sarif"`
	}
	if err := json.Unmarshal([]byte(reqs[0].Body), &sent); err != nil {
		t.Fatal(err)
	}
	if sent.CommitSHA != "deadbeef" || sent.Ref != "refs/pull/7/head" {
		t.Errorf("commit_sha %q ref %q", sent.CommitSHA, sent.Ref)
	}
	gz, err := base64.StdEncoding.DecodeString(sent.Sarif)
	if err != nil {
		t.Fatalf("sarif is not base64: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("sarif is not gzip: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sarif) {
		t.Errorf("uploaded SARIF differs:\n got %s\nwant %s", got, sarif)
	}
}

func TestUploadSARIFForbidden(t *testing.T) {
	f := newFake(t)
	f.handle("POST /repos/o/r/code-scanning/sarifs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 403, map[string]string{"message": "Advanced Security must be enabled for this repository to use code scanning."}, 0, 0)
	})
	_, err := f.client().UploadSARIF(context.Background(), Repo{"o", "r"}, "refs/pull/7/head", "deadbeef", []byte(`{}`))
	if !IsForbidden(err) {
		t.Fatalf("err = %v, want 403", err)
	}
	assertNoToken(t, err)
	if _, err := f.client().UploadSARIF(context.Background(), Repo{"o", "r"}, "r", "s", nil); err == nil {
		t.Error("empty SARIF accepted")
	}
}
