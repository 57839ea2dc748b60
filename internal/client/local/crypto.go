package local

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// sealer encrypts secret values at rest with AES-256-GCM. The key comes from
// INTEGRATIONS_SECRET_KEY (any string, hashed to 32 bytes) or from a 0600 key file beside the
// store, created with random bytes on first use.
type sealer struct {
	aead   cipher.AEAD
	macKey []byte
	source string
}

func loadSealer(storePath string) (*sealer, error) {
	if k := os.Getenv("INTEGRATIONS_SECRET_KEY"); k != "" {
		sum := sha256.Sum256([]byte(k))
		return newSealer(sum[:], "INTEGRATIONS_SECRET_KEY")
	}
	path := storePath + ".key"
	key, err := readOrCreateKey(path)
	if err != nil {
		return nil, err
	}
	return newSealer(key, path)
}

func readOrCreateKey(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			_ = os.Remove(path)
			return nil, fmt.Errorf("writing key file %s: %w", path, werr)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("creating key file %s: %w", path, err)
	}
	// Another process may be writing the file this instant; its content appears whole at once
	// only after its write, so a short file means "retry".
	for range 50 {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading key file %s: %w", path, err)
		}
		key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err == nil && len(key) == 32 {
			return key, nil
		}
		if len(raw) >= 64 {
			return nil, fmt.Errorf("key file %s is damaged: want 64 hex digits", path)
		}
		sleepBriefly()
	}
	return nil, fmt.Errorf("key file %s stayed incomplete", path)
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
		return nil, fmt.Errorf("cannot decrypt stored secrets with the key from %s: it is not the key they were written with", s.source)
	}
	return plain, nil
}
