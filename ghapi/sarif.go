package ghapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/go-github/v62/github"
)

// MaxSARIFGzipped is GitHub's limit on the gzipped SARIF upload.
const MaxSARIFGzipped = 10 << 20

// UploadSARIF uploads a SARIF log to code scanning for ref (e.g.
// "refs/pull/7/head") at commit sha, gzipped and base64-encoded as the API
// requires, and returns the upload id. Needs `security-events: write`;
// private repositories without code security answer 403.
func (c *Client) UploadSARIF(ctx context.Context, r Repo, ref, sha string, sarif []byte) (string, error) {
	if len(bytes.TrimSpace(sarif)) == 0 {
		return "", errors.New("upload SARIF: empty SARIF")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(sarif); err != nil {
		return "", fmt.Errorf("upload SARIF: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("upload SARIF: gzip: %w", err)
	}
	if buf.Len() > MaxSARIFGzipped {
		return "", fmt.Errorf("upload SARIF: %d bytes gzipped, over GitHub's %d-byte limit", buf.Len(), MaxSARIFGzipped)
	}
	analysis := &github.SarifAnalysis{
		CommitSHA: github.String(sha),
		Ref:       github.String(ref),
		Sarif:     github.String(base64.StdEncoding.EncodeToString(buf.Bytes())),
		ToolName:  github.String("channelguard"),
	}
	var id *github.SarifID
	err := c.call(ctx, "upload SARIF", func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		id, resp, err = c.gh.CodeScanning.UploadSarif(ctx, r.Owner, r.Name, analysis)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return id.GetID(), nil
}
