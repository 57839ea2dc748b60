package local

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/input"
)

// sealer encrypts secret values at rest with AES-256-GCM. The key comes from
// INTEGRATIONS_SECRET_KEY (any string, hashed to 32 bytes) or from a 0600 key file beside the
// store, created with random bytes when the first secret is written.
type sealer struct {
	aead   cipher.AEAD
	macKey []byte
	source string
}

const keyEnv = "INTEGRATIONS_SECRET_KEY"

// KeyError is a secret key that is missing, damaged or not the one the store's secrets were
// sealed with. Nothing was written: the store is refused until the right key is there.
type KeyError struct{ msg string }

func (e *KeyError) Error() string { return e.msg }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *KeyError) UsageError() bool { return true }

// Unwrap marks the error as the user's: the key given is not the store's.
func (e *KeyError) Unwrap() error { return client.ErrUnusableStore }

// loadKey finds the key: the environment variable, else the key file. With create, a missing
// key file is made; without, a missing one is a KeyError saying how to restore it.
// sealedWith, when known, is where the key the store's secrets use came from ("environment"
// or "file"), so that the message says which one to bring back.
func loadKey(storePath string, create bool, sealedWith string) (*sealer, error) {
	if k := os.Getenv(keyEnv); k != "" {
		sum := sha256.Sum256([]byte(k))
		return newSealer(sum[:], keyEnv)
	}
	path := storePath + ".key"
	key, err := readKey(path)
	if errors.Is(err, os.ErrNotExist) && create {
		key, err = createKey(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		const never = "no new key is made while the store holds secrets sealed with the old one"
		if sealedWith == "environment" {
			return nil, &KeyError{fmt.Sprintf("the secret key of the store is missing: its secrets were sealed with a key given in %s, which is not set; set it again (%s)", keyEnv, never)}
		}
		return nil, &KeyError{fmt.Sprintf("the secret key of the store is missing: %s does not exist and %s is not set; "+
			"restore the key file from a backup (or set %s to the key the secrets were sealed with); %s", path, keyEnv, keyEnv, never)}
	}
	if err != nil {
		return nil, err
	}
	return newSealer(key, path)
}

// readKey reads the key file: 64 hex digits and a newline. A short or empty file (a crash while
// it was written, a bad copy) is reported as such, not retried for ever.
func readKey(path string) ([]byte, error) {
	var raw []byte
	var err error
	// A process creating the file this instant writes it whole right after creating it.
	for range 20 {
		raw, err = readSmall(path)
		if err != nil || len(strings.TrimSpace(string(raw))) >= 64 {
			break
		}
		sleepBriefly()
	}
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(string(raw))
	switch key, derr := hex.DecodeString(text); {
	case len(text) == 0:
		return nil, &KeyError{fmt.Sprintf("key file %s is empty; restore it from a backup (or set %s to the key the secrets were sealed with)", path, keyEnv)}
	case len(text) < 64:
		return nil, &KeyError{fmt.Sprintf("key file %s is truncated (%d of 64 hex digits); restore it from a backup (or set %s to the key the secrets were sealed with)", path, len(text), keyEnv)}
	case derr != nil || len(key) != 32:
		return nil, &KeyError{fmt.Sprintf("key file %s is damaged: want 64 hex digits; restore it from a backup", path)}
	default:
		return key, nil
	}
}

// readSmall reads a file expected to be tiny, refusing a large or special one.
func readSmall(path string) ([]byte, error) {
	raw, err := input.ReadFile(path, 4<<10)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, &KeyError{fmt.Sprintf("key file %s cannot be read: %v", path, err)}
	}
	return raw, err
}

func createKey(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return readKey(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("creating key file %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if serr := f.Sync(); werr == nil {
		werr = serr
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("writing key file %s: %w", path, werr)
	}
	return key, nil
}

func newSealer(key []byte, source string) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// A separate key for fingerprints, so a fingerprint reveals nothing about the cipher key.
	mk := sha256.Sum256(append([]byte("integrations fingerprint key\x00"), key...))
	return &sealer{aead: aead, macKey: mk[:], source: source}, nil
}

// fingerprint is a keyed hash of a secret: equal secrets give equal fingerprints, and without
// the key a fingerprint cannot be checked against guesses.
func (s *sealer) fingerprint(context, secret string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(context))
	m.Write([]byte{0})
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// seal encrypts plain, binding it to context (the row it belongs to) so that a ciphertext moved
// to another row fails to open.
func (s *sealer) seal(plain []byte, context string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(context))
	return base64.StdEncoding.EncodeToString(out), nil
}

func (s *sealer) open(sealed, context string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, errors.New("stored secrets are damaged")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, s.wrongKey()
	}
	return plain, nil
}

func (s *sealer) wrongKey() error {
	how := "restore the key file they were sealed with"
	if s.source == keyEnv {
		how = "set " + keyEnv + " to the key they were sealed with, or unset it to use the key file"
	}
	return &KeyError{fmt.Sprintf("the key from %s is not the key this store's secrets were sealed with; %s (nothing was written)", s.source, how)}
}

// keyCheckContext binds the key-check value to its purpose.
const keyCheckContext = "integrations key check"

// checkKey verifies that sl is the key the store's secrets were sealed with, recording a
// key-check value in the store when it has none yet, so that a wrong key is caught before it
// seals anything. It runs inside the write transaction.
func (s *Store) checkKey(ctx context.Context, tx *sql.Tx) (*sealer, error) {
	check, sealed, err := keyState(ctx, tx)
	if err != nil {
		return nil, err
	}
	if check != "" {
		return s.readKey(ctx, tx) // loaded once per process, checked against the key check
	}
	sl, err := loadKey(s.path, !sealed, sealedWith(ctx, tx))
	if err != nil {
		return nil, err
	}
	if sealed {
		// A store from before the key check: one sealed row tells whether the key is right.
		var id int64
		var name, secrets string
		if err := tx.QueryRowContext(ctx, "SELECT scope_id, integration, secrets FROM settings WHERE secrets != '' LIMIT 1").Scan(&id, &name, &secrets); err != nil {
			return nil, err
		}
		if _, err := sl.open(secrets, sealContext(id, name)); err != nil {
			return nil, err
		}
	}
	value, err := sl.seal([]byte("ok"), keyCheckContext)
	if err != nil {
		return nil, err
	}
	source := "file"
	if sl.source == keyEnv {
		source = "environment"
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('key_check', ?), ('key_source', ?)
		ON CONFLICT (key) DO NOTHING`, value, source)
	return sl, err
}

// sealedWith is the key_source recorded with the key check, or "" before there was one.
func sealedWith(ctx context.Context, q querier) string {
	var source string
	_ = q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'key_source'").Scan(&source)
	return source
}

// keyState reads the key-check value and, when there is none, whether any row holds sealed
// secrets (a store from before the key check).
func keyState(ctx context.Context, q querier) (check string, sealed bool, err error) {
	err = q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'key_check'").Scan(&check)
	switch {
	case err == nil:
		return check, true, nil
	case !isNoRows(err):
		return "", false, err
	}
	err = q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM settings WHERE secrets != '')").Scan(&sealed)
	return "", sealed, err
}

// readKey returns the key for reading sealed rows: never made anew, since a new key could not
// open them, and checked against the store's key-check value when there is one.
func (s *Store) readKey(ctx context.Context, q querier) (*sealer, error) {
	s.sealerOnce.Do(func() {
		s.sealer, s.sealerErr = loadKey(s.path, false, sealedWith(ctx, q))
		if s.sealerErr != nil {
			return
		}
		var check string
		err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'key_check'").Scan(&check)
		switch {
		case err != nil && !isNoRows(err):
			s.sealer, s.sealerErr = nil, err
		case check != "":
			if _, err := s.sealer.open(check, keyCheckContext); err != nil {
				s.sealer, s.sealerErr = nil, err
			}
		}
	})
	return s.sealer, s.sealerErr
}
