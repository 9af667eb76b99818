package openapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/stripe/stripe-mock/embedded"
)

// Operation is one route of Stripe's API as the spec lists it: an
// upper-case method and a path template such as /v1/customers/{customer}.
type Operation struct {
	Method, Path string
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// Operations lists every operation the embedded spec describes, sorted by
// path, then method.
func Operations() ([]Operation, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(embedded.OpenAPISpec, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	var ops []Operation
	for path, methods := range doc.Paths {
		for method := range methods {
			switch method {
			case "get", "post", "delete":
				ops = append(ops, Operation{strings.ToUpper(method), path})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}
