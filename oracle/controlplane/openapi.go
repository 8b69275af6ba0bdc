package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DumpOpenAPI writes the OpenAPI v3 document of every group-version the control plane serves
// (GET /openapi/v3, then each path's serverRelativeURL), one file per group-version
// (`api__v1.json`, `apis__apps__v1.json`), without descriptions, and with each path's operations
// reduced to the kind each serves and how (reducePaths): two thirds of the
// bytes, and nothing a validator reads. JSON with sorted keys: the same server gives the same bytes.
func DumpOpenAPI(ctx context.Context, cp *ControlPlane, out string) ([]string, error) {
	rest := cp.Client.Discovery().RESTClient()
	raw, err := rest.Get().AbsPath("/openapi/v3").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("GET /openapi/v3: %w", err)
	}
	var index struct {
		Paths map[string]struct {
			ServerRelativeURL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for path, entry := range index.Paths {
		// Group-versions only: /api and /apis list groups, /.well-known and /version are not kinds.
		if !strings.HasPrefix(path, "api/") && !strings.HasPrefix(path, "apis/") {
			continue
		}
		// apis/<group> documents list a group's versions, not kinds.
		if strings.HasPrefix(path, "apis/") && strings.Count(path, "/") != 2 {
			continue
		}
		url := entry.ServerRelativeURL
		query := ""
		if i := strings.Index(url, "?"); i >= 0 {
			url, query = url[:i], url[i+1:]
		}
		req := rest.Get().AbsPath(url)
		for _, kv := range strings.Split(query, "&") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				req = req.Param(k, v)
			}
		}
		body, err := req.DoRaw(ctx)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", entry.ServerRelativeURL, err)
		}
		var doc interface{}
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, err
		}
		stripped, err := json.Marshal(reducePaths(stripDescriptions(doc)))
		if err != nil {
			return nil, err
		}
		name := strings.ReplaceAll(path, "/", "__") + ".json"
		if err := os.WriteFile(filepath.Join(out, name), append(stripped, '\n'), 0o644); err != nil {
			return nil, err
		}
		written = append(written, name)
	}
	sort.Strings(written)
	return written, nil
}

func stripDescriptions(node interface{}) interface{} {
	switch n := node.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(n))
		for k, v := range n {
			// A description is prose; under "properties" a field may be named "description".
			if k == "description" {
				if _, isText := v.(string); isText {
					continue
				}
			}
			out[k] = stripDescriptions(v)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(n))
		for i, v := range n {
			out[i] = stripDescriptions(v)
		}
		return out
	}
	return node
}

// reducePaths keeps of each path's operations only what says which kind it serves and how
// (x-kubernetes-action, x-kubernetes-group-version-kind): whether a kind can be created, and
// whether it is namespaced, come from there.
func reducePaths(doc interface{}) interface{} {
	m, ok := doc.(map[string]interface{})
	if !ok {
		return doc
	}
	paths, ok := m["paths"].(map[string]interface{})
	if !ok {
		return doc
	}
	for path, item := range paths {
		reduced := map[string]interface{}{}
		if operations, ok := item.(map[string]interface{}); ok {
			for method, op := range operations {
				o, ok := op.(map[string]interface{})
				if !ok {
					continue
				}
				kept := map[string]interface{}{}
				for _, key := range []string{"x-kubernetes-action", "x-kubernetes-group-version-kind"} {
					if v, ok := o[key]; ok {
						kept[key] = v
					}
				}
				if len(kept) > 0 {
					reduced[method] = kept
				}
			}
		}
		paths[path] = reduced
	}
	return doc
}
