// Package config is the typed form of <workspace>/config.yaml: the schema (types.go), its
// defaults, decoding and validation, and small lookups the gateway needs on every request.
//
// The file format is the Python seed's (gateway, providers, models, api_keys, with ${ENV}
// substitution), so Parse is lenient where the seed was — quoted numbers and booleans are
// coerced, unknown keys are warnings rather than errors — and strict where the seed was not:
// dangling provider references, duplicate names, unknown enum values and negative numbers are
// all reported at once, each with its YAML line, so one reload shows every mistake.
//
// Decoding goes through yaml.Node: a type-directed pass (walk.go) coerces scalars, collects
// warnings and records field lines; the node tree is then decoded over per-type defaults so
// that an absent key and an explicit zero stay distinguishable (priority: 0 stays 0).
//
// A Config is never mutated after Parse returns it; a reload builds a new one. Writers must not
// marshal a Config back to disk: it holds resolved secrets (see the Raw* fields). Edits go
// through the YAML node tree and the new bytes are re-Parsed.
package config
