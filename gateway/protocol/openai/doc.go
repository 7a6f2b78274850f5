// Package openai holds the OpenAI Chat Completions wire details the gateway
// itself produces: error bodies and the model list.
package openai
