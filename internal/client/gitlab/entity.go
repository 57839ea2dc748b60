package gitlab

import (
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/forgekit/integrations/internal/integrations"
)

// entity is GitLab's integration entity as far as the client reads it: active, inherited,
// updated_at, slug, properties and every event flag the catalog knows. It decodes into a struct
// with one field per key rather than into a map of every key: a bulk run decodes one entity per
// write, and the map cost it twice the CPU and ten times the garbage (ids, titles and dates
// nobody reads). Each field is `any`, so a key decodes exactly as into the map.
type entity struct{ v reflect.Value }

// shape is the struct type entities decode into and the field of each key.
type shape struct {
	typ   reflect.Type
	field map[string]int
}

var entityShape = sync.OnceValue(func() shape {
	keys := []string{"active", "inherited", "updated_at", "slug", "properties"}
	for _, e := range integrations.Events() {
		if !slices.Contains(keys, e.APIFlag) {
			keys = append(keys, e.APIFlag)
		}
	}
	fields := make([]reflect.StructField, len(keys))
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: reflect.TypeFor[any](),
			Tag:  reflect.StructTag(`json:` + strconv.Quote(k)),
		}
		index[k] = i
	}
	return shape{reflect.StructOf(fields), index}
})

// newEntity is an empty entity and the pointer to decode one into.
func newEntity() (entity, any) {
	p := reflect.New(entityShape().typ)
	return entity{p.Elem()}, p.Interface()
}

// newEntities is the pointer to decode a JSON array of entities into, and what it decoded.
func newEntities() (into any, decoded func() []entity) {
	p := reflect.New(reflect.SliceOf(entityShape().typ))
	return p.Interface(), func() []entity {
		list := p.Elem()
		out := make([]entity, list.Len())
		for i := range out {
			out[i] = entity{list.Index(i)}
		}
		return out
	}
}

// get is the value of a top-level key (nil when it was absent, or is not one the client reads).
func (e entity) get(key string) any {
	i, ok := entityShape().field[key]
	if !ok || !e.v.IsValid() {
		return nil
	}
	return e.v.Field(i).Interface()
}

// properties are the entity's properties; ok is false when it had none.
func (e entity) properties() (props map[string]any, ok bool) {
	props, ok = e.get("properties").(map[string]any)
	return props, ok
}
