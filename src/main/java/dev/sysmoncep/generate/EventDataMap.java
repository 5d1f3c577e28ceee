package dev.sysmoncep.generate;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The extra EventData of one event: a handful of fields, in insertion order, cleared and refilled
 * for every generated line. Linear search over a few arrays beats hashing for 10 to 20 fields.
 */
final class EventDataMap extends AbstractMap<String, String> {
    private String[] keys = new String[32];
    private String[] values = new String[32];
    private int size;

    @Override
    public int size() {
        return size;
    }

    @Override
    public String get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public String put(String key, String value) {
        int i = indexOf(key);
        if (i >= 0) {
            String old = values[i];
            values[i] = value;
            return old;
        }
        add(key, value);
        return null;
    }

    /** Appends a field the caller knows is not there yet, without {@link #put}'s search. */
    void add(String key, String value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
    }

    @Override
    public void clear() {
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }
        };
    }

    /** Keys are mostly the schema's own string constants: identity, then the cached hash, decide. */
    private int indexOf(Object key) {
        if (key == null) {
            return -1;
        }
        int hash = key.hashCode();
        for (int i = 0; i < size; i++) {
            String k = keys[i];
            if (k == key || (k.hashCode() == hash && k.equals(key))) {
                return i;
            }
        }
        return -1;
    }
}
