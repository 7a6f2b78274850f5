//go:build desktop && linux

package tray

/*
#cgo pkg-config: gtk+-3.0
#include <gtk/gtk.h>
#include <stdlib.h>

// Runs on the GTK thread (g_idle_add): the clipboard belongs to the process
// that owns the GTK loop, which serves it to other applications from then on.
static gboolean ms_set_clipboard(gpointer data) {
	gtk_clipboard_set_text(gtk_clipboard_get(GDK_SELECTION_CLIPBOARD), (const char *)data, -1);
	gtk_clipboard_set_text(gtk_clipboard_get(GDK_SELECTION_PRIMARY), (const char *)data, -1);
	free(data);
	return FALSE;
}

static void ms_copy(char *text) { g_idle_add(ms_set_clipboard, text); }
*/
import "C"

// Copy puts text on the clipboard (and the primary selection) through the
// tray's own GTK loop.
func Copy(text string) error {
	C.ms_copy(C.CString(text)) // freed on the GTK thread
	return nil
}
