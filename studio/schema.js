// A JSON Schema (draft 2020-12) checker for the studio: the keywords the
// project's schemas use (schema/*.json), so the page can point at a
// mistake in a template or record as it is typed, before the engine sees
// it. Unknown keywords are ignored, as the specification allows; the
// engine stays the judge (its errors are shown too).
"use strict";

const CardSchema = (() => {
  function typeOf(v) {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
  }

  function typeMatches(v, type) {
    const t = typeOf(v);
    return t === type || (type === "number" && t === "integer");
  }

  function resolve(root, ref) {
    if (!ref.startsWith("#/")) return {};
    let at = root;
    for (const part of ref.slice(2).split("/"))
      at = at && at[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    return at || {};
  }

  function equal(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // Problems of value against schema: [{path: ["fields", 3, "size_pt"], message}].
  function check(root, schema, value, path, out) {
    if (schema === true || schema === undefined) return out;
    if (schema === false) {
      out.push({ path, message: "is not allowed here" });
      return out;
    }
    if (schema.$ref) check(root, resolve(root, schema.$ref), value, path, out);
    if (schema.type) {
      const types = [].concat(schema.type);
      if (!types.some((t) => typeMatches(value, t))) {
        out.push({ path, message: `must be ${types.join(" or ")}, not ${typeOf(value)}` });
        return out;
      }
    }
    if ("const" in schema && !equal(value, schema.const))
      out.push({ path, message: `must be ${JSON.stringify(schema.const)}` });
    if (schema.enum && !schema.enum.some((e) => equal(e, value)))
      out.push({ path, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}` });
    if (typeof value === "number") checkNumber(schema, value, path, out);
    if (typeof value === "string") checkString(schema, value, path, out);
    if (Array.isArray(value)) checkArray(root, schema, value, path, out);
    if (typeOf(value) === "object") checkObject(root, schema, value, path, out);
    checkCombinations(root, schema, value, path, out);
    return out;
  }

  function checkNumber(s, v, path, out) {
    if (s.minimum !== undefined && v < s.minimum) out.push({ path, message: `must be at least ${s.minimum}` });
    if (s.maximum !== undefined && v > s.maximum) out.push({ path, message: `must be at most ${s.maximum}` });
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum)
      out.push({ path, message: `must be more than ${s.exclusiveMinimum}` });
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum)
      out.push({ path, message: `must be less than ${s.exclusiveMaximum}` });
  }

  function checkString(s, v, path, out) {
    const length = [...v].length;
    if (s.minLength !== undefined && length < s.minLength) out.push({ path, message: `needs at least ${s.minLength} characters` });
    if (s.maxLength !== undefined && length > s.maxLength) out.push({ path, message: `takes at most ${s.maxLength} characters` });
    if (s.pattern && !new RegExp(s.pattern, "u").test(v)) out.push({ path, message: `does not match ${s.pattern}` });
  }

  function checkArray(root, s, v, path, out) {
    if (s.minItems !== undefined && v.length < s.minItems) out.push({ path, message: `needs at least ${s.minItems} items` });
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push({ path, message: `takes at most ${s.maxItems} items` });
    const prefix = s.prefixItems || [];
    v.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : s.items;
      if (itemSchema !== undefined) check(root, itemSchema, item, path.concat(i), out);
    });
  }

  function checkObject(root, s, v, path, out) {
    for (const key of s.required || [])
      if (!(key in v)) out.push({ path, message: `needs the key "${key}"` });
    const properties = s.properties || {};
    for (const [key, item] of Object.entries(v)) {
      if (key in properties) check(root, properties[key], item, path.concat(key), out);
      else if (s.patternProperties && Object.keys(s.patternProperties).some((p) => new RegExp(p, "u").test(key)))
        Object.entries(s.patternProperties)
          .filter(([p]) => new RegExp(p, "u").test(key))
          .forEach(([, ps]) => check(root, ps, item, path.concat(key), out));
      else if (s.additionalProperties === false) out.push({ path: path.concat(key), message: `"${key}" is not a key here` });
      else if (typeof s.additionalProperties === "object") check(root, s.additionalProperties, item, path.concat(key), out);
    }
    for (const [key, needs] of Object.entries(s.dependentRequired || {}))
      if (key in v)
        for (const other of needs)
          if (!(other in v)) out.push({ path: path.concat(key), message: `needs "${other}" too` });
    if (s.propertyNames)
      for (const key of Object.keys(v)) check(root, s.propertyNames, key, path.concat(key), out);
  }

  function checkCombinations(root, s, v, path, out) {
    for (const part of s.allOf || []) check(root, part, v, path, out);
    if (s.anyOf) {
      const tries = s.anyOf.map((part) => check(root, part, v, path, []));
      if (!tries.some((t) => t.length === 0)) out.push(...closest(tries));
    }
    if (s.oneOf) {
      const tries = s.oneOf.map((part) => check(root, part, v, path, []));
      const passed = tries.filter((t) => t.length === 0).length;
      if (passed === 0) out.push(...closest(tries));
      else if (passed > 1) out.push({ path, message: "matches more than one of the allowed forms" });
    }
    if (s.if !== undefined) {
      const branch = check(root, s.if, v, path, []).length === 0 ? s.then : s.else;
      if (branch !== undefined) check(root, branch, v, path, out);
    }
    if (s.not !== undefined && check(root, s.not, v, path, []).length === 0)
      out.push({ path, message: "is not allowed in this form" });
  }

  // Of the alternatives that failed, the problems of the one that got
  // furthest (deepest path, then fewest problems): the likeliest meant.
  function closest(tries) {
    const depth = (t) => Math.max(...t.map((p) => p.path.length));
    return tries.slice().sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
  }

  return {
    check: (schema, value) => check(schema, schema, value, [], []),
  };
})();
