package store

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/asdine/storm/v3"
	bolt "go.etcd.io/bbolt"
)

// FileName is the database's name inside the workspace's data directory.
const FileName = "modelswitch.db"

// DB is the open database. Packages take the node they need with From.
type DB struct {
	*storm.DB
	Path string
}

// Open opens (creating when missing) the database at path with mode 0600.
func Open(path string) (*DB, error) {
	sdb, err := storm.Open(path, storm.BoltOptions(0o600, &bolt.Options{Timeout: 2 * time.Second}))
	if err != nil {
		switch {
		case errors.Is(err, bolt.ErrTimeout):
			return nil, fmt.Errorf("database %s is locked by another process (is another ModelSwitch running?)", path)
		case errors.Is(err, os.ErrPermission):
			return nil, fmt.Errorf("database %s cannot be opened: %w", path, err)
		default:
			return nil, fmt.Errorf("database %s cannot be opened (corrupt? move it away to start with an empty one): %w", path, err)
		}
	}
	return &DB{DB: sdb, Path: path}, nil
}
