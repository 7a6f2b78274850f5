package service

// Test temporary directories live in /tmp, which rendered units refuse (PrivateTmp);
// TestPrivateTmpRefused checks the refusal itself.
func init() { privateTmp = func(string) bool { return false } }
