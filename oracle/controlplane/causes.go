package main

// The fields a refusal names, in one form whatever stage refused: Invalid errors carry them as
// causes (`spec.template.spec.containers[0].ports[0].name`); server-side apply's typed
// conversion (sigs.k8s.io/structured-merge-diff, through which every apply patch passes before
// validation) names them only in its message, in its own path syntax, with list items by key
// (`.spec.template.spec.containers[name="c"].foo`, `.spec.template.spec.volumes` for a
// duplicate key). Those are read from the message and turned into index paths on the applied
// object, so that a refusal compares field by field with a validator's.

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

var typedLine = regexp.MustCompile(`(?m)^\s*(\.[^\s:][^:]*?): (.+)$`)

// typedCauses reads the fields of a "failed to create typed patch object" message.
func typedCauses(message string, object map[string]interface{}) []Cause {
	if !strings.Contains(message, "failed to create typed patch object") {
		return nil
	}
	body := message
	if i := strings.Index(message, "): "); i >= 0 {
		body = message[i+3:]
	}
	body = strings.TrimPrefix(body, "errors:\n")
	var causes []Cause
	for _, m := range typedLine.FindAllStringSubmatch(body, -1) {
		causes = append(causes, Cause{Field: indexPath(m[1], object), Type: "FieldValueTypeInvalid", Message: m[2]})
	}
	return causes
}

// indexPath turns a structured-merge-diff path into the index path of the same field in object:
// `.a.b[name="c",port=80].d` -> `a.b[2].d`; `[=v]` (a set item) -> its index; unresolvable
// keys are kept as written.
func indexPath(smd string, object interface{}) string {
	var out strings.Builder
	current := object
	rest := smd
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			rest = rest[end:]
			if out.Len() > 0 {
				out.WriteByte('.')
			}
			out.WriteString(name)
			if m, ok := current.(map[string]interface{}); ok {
				current = m[name]
			} else {
				current = nil
			}
		case '[':
			end := closingBracket(rest)
			selector := rest[1:end]
			rest = rest[end+1:]
			index := -1
			list, _ := current.([]interface{})
			if n, err := strconv.Atoi(selector); err == nil {
				index = n
			} else if strings.HasPrefix(selector, "=") {
				var want interface{}
				if json.Unmarshal([]byte(selector[1:]), &want) == nil {
					for i, item := range list {
						if equalJSON(item, want) {
							index = i
							break
						}
					}
				}
			} else {
				keys := parseKeys(selector)
				for i, item := range list {
					m, ok := item.(map[string]interface{})
					if !ok {
						continue
					}
					match := true
					for k, v := range keys {
						got, present := m[k]
						// A key the item leaves unset matches its default (ports' protocol "TCP").
						if !present {
							continue
						}
						if !equalJSON(got, v) {
							match = false
							break
						}
					}
					if match {
						index = i
						break
					}
				}
			}
			// A key whose value is not a scalar (`[name=nested="object"]`, a map where a string
			// belongs) cannot be matched by value: it is the one item whose key is not a scalar.
			if index < 0 && strings.Contains(selector, "=") && !strings.HasPrefix(selector, "=") {
				key := selector[:strings.Index(selector, "=")]
				candidates := []int{}
				for i, item := range list {
					if m, ok := item.(map[string]interface{}); ok {
						switch m[key].(type) {
						case map[string]interface{}, []interface{}:
							candidates = append(candidates, i)
						}
					}
				}
				if len(candidates) == 1 {
					index = candidates[0]
				}
			}
			if index >= 0 && index < len(list) {
				out.WriteString("[" + strconv.Itoa(index) + "]")
				current = list[index]
			} else {
				out.WriteString("[" + selector + "]")
				current = nil
			}
		default:
			out.WriteString(rest)
			rest = ""
		}
	}
	return out.String()
}

func closingBracket(s string) int {
	inString := false
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inString:
			i++
		case s[i] == '"':
			inString = !inString
		case s[i] == ']' && !inString:
			return i
		}
	}
	return len(s) - 1
}

// parseKeys reads `name="c",port=80` into its values.
func parseKeys(selector string) map[string]interface{} {
	keys := map[string]interface{}{}
	for selector != "" {
		eq := strings.IndexByte(selector, '=')
		if eq < 0 {
			break
		}
		key := selector[:eq]
		selector = selector[eq+1:]
		var raw string
		if strings.HasPrefix(selector, `"`) {
			end := 1
			for end < len(selector) && selector[end] != '"' {
				if selector[end] == '\\' {
					end++
				}
				end++
			}
			raw, selector = selector[:end+1], selector[min(end+1, len(selector)):]
		} else {
			comma := strings.IndexByte(selector, ',')
			if comma < 0 {
				comma = len(selector)
			}
			raw, selector = selector[:comma], selector[comma:]
		}
		selector = strings.TrimPrefix(selector, ",")
		var value interface{}
		if json.Unmarshal([]byte(raw), &value) != nil {
			value = raw
		}
		keys[key] = value
	}
	return keys
}

func equalJSON(a, b interface{}) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
