package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/modelswitch/modelswitch/app/addprovider"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// addFlags are --add-provider's (issue 17).
type addFlags struct {
	preset, apiKey, protocol, name string
	models                         bool
}

func (a *addFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.preset, "add-provider", "", "add a provider from a preset (e.g. deepseek, zhipu, ollama) to config.yaml and exit")
	fs.StringVar(&a.apiKey, "api-key", "", "with --add-provider: the provider's API key, or a ${ENV_VAR} reference")
	fs.StringVar(&a.protocol, "protocol", "", "with --add-provider: openai | anthropic | responses (default: the preset's OpenAI endpoint)")
	fs.StringVar(&a.name, "name", "", "with --add-provider: the provider's name (default: the preset's id)")
	fs.BoolVar(&a.models, "with-models", false, "with --add-provider: also add a virtual model for each of the preset's models")
}

func (a *addFlags) run(wsFlag string, stdout, stderr io.Writer) int {
	dir, err := workspace.Resolve(wsFlag)
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 2
	}
	res, err := addprovider.Add(filepath.Join(dir, "config.yaml"), addprovider.Options{Preset: a.preset, Name: a.name,
		Protocol: a.protocol, APIKey: a.apiKey, Models: a.models})
	if err != nil {
		fmt.Fprintln(stderr, "modelswitch:", err)
		return 1
	}
	fmt.Fprintf(stdout, "added provider %q (%s, %s)\n", res.Provider, res.Protocol, res.BaseURL)
	if len(res.Models) > 0 {
		fmt.Fprintf(stdout, "added models: %s\n", strings.Join(res.Models, ", "))
	}
	fmt.Fprintln(stdout, "a running ModelSwitch applies it now; test it in the admin UI's Providers tab")
	return 0
}
