package engine

import "testing"

// TestMemoKeyIs128Bits: two keys that share one 64-bit half are different
// texts to the memo.
func TestMemoKeyIs128Bits(t *testing.T) {
	m := newMemo()
	if m == nil {
		t.Fatal("no memo")
	}
	m.store(memoKey{1, 2}, sourcesFragment("a"), nil)
	if _, ok := m.lookup(memoKey{1, 3}, sourcesFragment("b")); ok {
		t.Error("a key with the same first half found another text's entry")
	}
	if _, ok := m.lookup(memoKey{1, 2}, sourcesFragment("a")); !ok {
		t.Error("the stored key is not found")
	}
}
