// Package anthropic holds the Anthropic Messages wire details the gateway itself
// produces: error bodies with the status→type table of seed-behaviour §16 P9.
package anthropic
