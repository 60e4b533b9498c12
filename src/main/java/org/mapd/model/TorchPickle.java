package org.mapd.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for the data.pkl of a torch.save'd state dict. It interprets only the opcodes that such a
 * pickle uses and builds plain records; the only "callables" are a whitelist of names whose effect it emulates
 * (OrderedDict(), _rebuild_tensor_v2, _rebuild_parameter). Nothing from the file is ever looked up, loaded or run:
 * any other global or opcode is an IllegalArgumentException naming the source, the opcode or global and its offset.
 * Bounded in stack size, MARK nesting, memo size, string length and number of objects, so a hostile pickle cannot
 * exhaust memory or loop.
 */
final class TorchPickle {
  static final int MAX_STACK = 100_000;
  static final int MAX_MARK_DEPTH = 64;
  static final int MAX_MEMO = 1 << 20;
  static final int MAX_STRING = 1 << 16;
  static final int MAX_OBJECTS = 1 << 22;
  static final int MAX_TENSORS = 1 << 16;
  static final int MAX_DIMS = 16;

  /** A persistent id ('storage', torch.XStorage, key, location, numel): the raw bytes live in the zip entry data/key. */
  record Storage(String key, TorchCheckpoint.Dtype type, long numel) {}

  /**
   * A tensor as _rebuild_tensor_v2 describes it, in elements of its storage.
   *
   * @param size shape
   * @param stride elements to step per index of each dim (arrays: records compare them by identity)
   */
  record Tensor(String name, Storage storage, long offset, long[] size, long[] stride) {}

  private record Global(String module, String name) {
    @Override
    public String toString() { return module + "." + name; }
  }

  /** A dict, or an OrderedDict instance (the same to us: both keep insertion order). */
  private record Dict(Map<Object, Object> items) {}

  private record TensorValue(Storage storage, long offset, long[] size, long[] stride) {}

  private enum None { NONE }

  private static final Set<String> GLOBALS = Set.of(
      "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
      "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage");

  private final String source;
  private final byte[] b;
  private int pos;
  private int opAt;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<Integer> marks = new ArrayList<>();
  private final HashMap<Long, Object> memo = new HashMap<>();
  private final Map<String, Storage> storages = new HashMap<>();
  private long objects;
  private int tensors;

  private TorchPickle(String source, byte[] bytes) {
    this.source = source;
    this.b = bytes;
  }

  /** The tensors of the state dict in {@code bytes}, in the pickle's order; {@code source} names it in errors. */
  static List<Tensor> read(String source, byte[] bytes) {
    return new TorchPickle(source, bytes).run();
  }

  private List<Tensor> run() {
    while (true) {
      opAt = pos;
      int op = u8();
      switch (op) {
        case 0x80 -> { // PROTO
          int v = u8();
          if (v < 2 || v > 5) throw fail("PROTO " + v + " (protocol 2-5 expected)");
        }
        case 0x95 -> { // FRAME: a length hint only (protocol 4)
          need(8);
          pos += 8;
        }
        case '.' -> { // STOP
          return result(pop());
        }
        case '(' -> { // MARK
          if (marks.size() >= MAX_MARK_DEPTH) throw fail("MARK nesting deeper than " + MAX_MARK_DEPTH);
          marks.add(stack.size());
        }
        case '}' -> push(new Dict(new LinkedHashMap<>())); // EMPTY_DICT
        case ')' -> push(List.of()); // EMPTY_TUPLE
        case 'N' -> push(None.NONE);
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
        case 'J' -> push((long) s32()); // BININT
        case 0x8a -> push(long1()); // LONG1
        case 'X' -> push(string(s32())); // BINUNICODE
        case 0x8c -> push(string(u8())); // SHORT_BINUNICODE
        case 'q' -> put(u8()); // BINPUT
        case 'r' -> put(s32() & 0xFFFFFFFFL); // LONG_BINPUT
        case 0x94 -> put(memo.size()); // MEMOIZE
        case 'h' -> get(u8()); // BINGET
        case 'j' -> get(s32() & 0xFFFFFFFFL); // LONG_BINGET
        case 'c' -> push(global(line(), line())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) throw fail("STACK_GLOBAL needs two strings");
          push(global(m, n));
        }
        case 't' -> push(tuple(popMark())); // TUPLE
        case 0x85 -> push(tuple(List.of(pop()))); // TUPLE1
        case 0x86 -> { // TUPLE2
          Object y = pop();
          push(tuple(List.of(pop(), y)));
        }
        case 0x87 -> { // TUPLE3
          Object z = pop();
          Object y = pop();
          push(tuple(List.of(pop(), y, z)));
        }
        case 'Q' -> push(persistent(pop())); // BINPERSID
        case 'R' -> { // REDUCE
          Object args = pop();
          push(reduce(pop(), args));
        }
        case 's' -> { // SETITEM
          Object v = pop();
          Object k = pop();
          setItem(peek(), k, v);
        }
        case 'u' -> { // SETITEMS
          List<Object> kv = popMark();
          if (kv.size() % 2 != 0) throw fail("SETITEMS with an odd number of items");
          Object d = peek();
          for (int i = 0; i < kv.size(); i += 2) setItem(d, kv.get(i), kv.get(i + 1));
        }
        case 'b' -> { // BUILD: only OrderedDict's attribute dict (state_dict()._metadata), which we drop
          Object state = pop();
          Object target = peek();
          if (!(target instanceof Dict) || !(state instanceof Dict)) {
            throw fail("BUILD of " + kind(target) + " with " + kind(state) + " (only an OrderedDict's attributes are allowed)");
          }
        }
        default -> throw fail(String.format("opcode 0x%02x%s is not allowed in a state dict", op,
            op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
      }
    }
  }

  private List<Tensor> result(Object top) {
    if (!(top instanceof Dict d)) throw fail("the pickle holds " + kind(top) + ", not a state dict");
    List<Tensor> out = new ArrayList<>();
    for (Map.Entry<Object, Object> e : d.items().entrySet()) {
      if (!(e.getKey() instanceof String name)) throw fail("state dict key " + e.getKey() + " is not a string");
      if (!(e.getValue() instanceof TensorValue t)) throw fail("state dict entry " + name + " is " + kind(e.getValue()) + ", not a tensor");
      out.add(new Tensor(name, t.storage(), t.offset(), t.size(), t.stride()));
    }
    return Collections.unmodifiableList(out);
  }

  private Global global(String module, String name) {
    Global g = new Global(module, name);
    if (!GLOBALS.contains(g.toString())) {
      throw fail("GLOBAL " + g + " is not allowed (a state dict uses only collections.OrderedDict, "
          + "torch._utils._rebuild_tensor_v2/_rebuild_parameter and torch.{Float,Half,BFloat16,Long}Storage)");
    }
    return g;
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Global g)) throw fail("REDUCE of " + kind(callable) + " (only whitelisted globals can be called)");
    if (!(args instanceof List<?> a)) throw fail("REDUCE of " + g + " with " + kind(args) + " instead of an argument tuple");
    switch (g.toString()) {
      case "collections.OrderedDict" -> {
        if (!a.isEmpty()) throw fail("OrderedDict called with arguments");
        return new Dict(new LinkedHashMap<>());
      }
      case "torch._utils._rebuild_tensor_v2" -> {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.size() != 6 && a.size() != 7) throw fail("_rebuild_tensor_v2 with " + a.size() + " arguments (6 or 7 expected)");
        if (!(a.get(0) instanceof Storage s)) throw fail("_rebuild_tensor_v2 argument 0 is " + kind(a.get(0)) + ", not a storage");
        long offset = integer(a.get(1), "_rebuild_tensor_v2 storage_offset");
        long[] size = longs(a.get(2), "_rebuild_tensor_v2 size");
        long[] stride = longs(a.get(3), "_rebuild_tensor_v2 stride");
        if (size.length != stride.length) throw fail("_rebuild_tensor_v2: size has " + size.length + " dims, stride " + stride.length);
        if (!(a.get(4) instanceof Boolean)) throw fail("_rebuild_tensor_v2 requires_grad is " + kind(a.get(4)));
        emptyDict(a.get(5), "_rebuild_tensor_v2 backward_hooks");
        if (++tensors > MAX_TENSORS) throw fail("more than " + MAX_TENSORS + " tensors");
        if (a.size() == 7 && a.get(6) != None.NONE) emptyDict(a.get(6), "_rebuild_tensor_v2 metadata");
        return new TensorValue(s, offset, size, stride);
      }
      case "torch._utils._rebuild_parameter" -> { // (data, requires_grad, backward_hooks): nn.Parameter saved as such
        if (a.size() != 3 || !(a.get(0) instanceof TensorValue t)) throw fail("_rebuild_parameter needs (tensor, requires_grad, hooks)");
        emptyDict(a.get(2), "_rebuild_parameter backward_hooks");
        return t;
      }
      default -> throw fail("REDUCE of " + g + " (a storage class is not callable here)");
    }
  }

  private Storage persistent(Object pid) {
    if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
      throw fail("BINPERSID of " + kind(pid) + " (expected ('storage', StorageClass, key, location, numel))");
    }
    if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || TorchCheckpoint.Dtype.ofStorage(g.name()) == null) {
      // kind(), never toString(): a dict can contain itself through the memo, and printing it would never end.
      throw fail("persistent id storage class " + kind(t.get(1)) + " is not a torch storage class");
    }
    if (!(t.get(2) instanceof String key) || key.isEmpty()) throw fail("persistent id key is " + kind(t.get(2)));
    if (!(t.get(3) instanceof String)) throw fail("persistent id location is " + kind(t.get(3)));
    long numel = integer(t.get(4), "persistent id numel");
    if (numel < 0) throw fail("persistent id numel " + numel + " is negative");
    Storage s = new Storage(key, TorchCheckpoint.Dtype.ofStorage(g.name()), numel);
    Storage before = storages.putIfAbsent(key, s);
    if (before != null && !before.equals(s)) throw fail("storage " + key + " is declared as " + before + " and as " + s);
    return before != null ? before : s;
  }

  private void setItem(Object target, Object k, Object v) {
    if (!(target instanceof Dict d)) throw fail("SETITEM on " + kind(target));
    if (!(k instanceof String) && !(k instanceof Long)) throw fail("dict key of type " + kind(k));
    d.items().put(k, v);
    count(1);
  }

  private static List<Object> tuple(List<Object> items) { return Collections.unmodifiableList(items); }

  private long integer(Object o, String what) {
    if (!(o instanceof Long l)) throw fail(what + " is " + kind(o) + ", not an int");
    return l;
  }

  private long[] longs(Object o, String what) {
    if (!(o instanceof List<?> t)) throw fail(what + " is " + kind(o) + ", not a tuple");
    if (t.size() > MAX_DIMS) throw fail(what + " has " + t.size() + " dims (limit " + MAX_DIMS + ")");
    long[] out = new long[t.size()];
    for (int i = 0; i < out.length; i++) out[i] = integer(t.get(i), what + "[" + i + "]");
    return out;
  }

  private void emptyDict(Object o, String what) {
    if (!(o instanceof Dict d) || !d.items().isEmpty()) throw fail(what + " must be an empty dict, got " + kind(o));
  }

  private static String kind(Object o) {
    if (o instanceof Dict) return "a dict";
    if (o instanceof List) return "a tuple";
    if (o instanceof String) return "a string";
    if (o instanceof Long) return "an int";
    if (o instanceof Boolean) return "a bool";
    if (o instanceof Global g) return "global " + g;
    if (o instanceof Storage) return "a storage";
    if (o instanceof TensorValue) return "a tensor";
    return "None";
  }

  // ---- stack, memo, bytes

  private void push(Object o) {
    if (stack.size() >= MAX_STACK) throw fail("stack deeper than " + MAX_STACK);
    count(1);
    stack.add(o);
  }

  private void count(long n) {
    objects += n;
    if (objects > MAX_OBJECTS) throw fail("more than " + MAX_OBJECTS + " objects");
  }

  private Object pop() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) throw fail("stack underflow");
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) throw fail("stack underflow");
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) throw fail("no MARK to pop to");
    int from = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(from, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private void put(long index) {
    if (stack.isEmpty()) throw fail("memo put with an empty stack");
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) throw fail("memo larger than " + MAX_MEMO);
    memo.put(index, stack.get(stack.size() - 1));
  }

  private void get(long index) {
    Object o = memo.get(index);
    if (o == null) throw fail("memo index " + index + " was never set");
    push(o);
  }

  private void need(long n) {
    if (n > b.length - pos) throw fail("truncated pickle: wants " + n + " more bytes, " + (b.length - pos) + " left");
  }

  private int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  private int s32() {
    need(4);
    int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | b[pos + 3] << 24;
    pos += 4;
    return v;
  }

  private long long1() {
    int n = u8();
    if (n > 8) throw fail("LONG1 of " + n + " bytes (at most 8)");
    need(n);
    long v = 0;
    for (int i = 0; i < n; i++) v |= (long) (b[pos + i] & 0xff) << (8 * i);
    if (n > 0 && n < 8 && (b[pos + n - 1] & 0x80) != 0) v |= -1L << (8 * n); // two's complement sign
    pos += n;
    return v;
  }

  private String string(long len) {
    if (len < 0 || len > MAX_STRING) throw fail("string of " + (len & 0xFFFFFFFFL) + " bytes (limit " + MAX_STRING + ")");
    need(len);
    String s = new String(b, pos, (int) len, StandardCharsets.UTF_8);
    pos += (int) len;
    return s;
  }

  /** A GLOBAL operand: ASCII up to a newline, at most 256 bytes. */
  private String line() {
    int start = pos;
    while (pos < b.length && b[pos] != '\n') {
      if (pos - start >= 256) throw fail("GLOBAL name longer than 256 bytes");
      pos++;
    }
    if (pos >= b.length) throw fail("truncated pickle inside a GLOBAL name");
    String s = new String(b, start, pos - start, StandardCharsets.US_ASCII);
    pos++;
    return s;
  }

  private IllegalArgumentException fail(String what) {
    return new IllegalArgumentException(source + ": offset " + opAt + ": " + what);
  }
}
