package core

import (
	"os"
	"slices"
	"testing"
)

func TestOwnEnvStaysOutOfChildren(t *testing.T) {
	t.Setenv("MS_TEST_USER_SET", "mine")
	if SetOwnEnv("MS_TEST_USER_SET", "ours") {
		t.Error("SetOwnEnv overrode a variable the user set")
	}
	os.Unsetenv("MS_TEST_OWN")
	t.Cleanup(func() { os.Unsetenv("MS_TEST_OWN") })
	if !SetOwnEnv("MS_TEST_OWN", "disable") || os.Getenv("MS_TEST_OWN") != "disable" {
		t.Fatal("SetOwnEnv did not set an unset variable")
	}
	env := ChildEnv()
	if slices.Contains(env, "MS_TEST_OWN=disable") {
		t.Error("a child would inherit the core's own variable")
	}
	if !slices.Contains(env, "MS_TEST_USER_SET=mine") {
		t.Error("a child would lose the user's variable")
	}
}
