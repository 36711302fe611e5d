package io.oldguard.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Reads a YAML file into immutable records and checks them with Hibernate Validator; every failure becomes a
 * {@link ConfigException} naming the file, the key path and what was expected.
 */
public final class YamlFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .registerModule(new SimpleModule()
                    .addDeserializer(Duration.class, new TextDeserializer<>(Duration.class, Durations::parse))
                    .addDeserializer(Rate.class, new TextDeserializer<>(Rate.class, Rate::parse)));

    // Parameter interpolation only: messages never evaluate expressions taken from a config file.
    private static final ValidatorFactory VALIDATORS = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory();

    private YamlFiles() {
    }

    public static <T> T read(Path file, Class<T> type) {
        String name = file.toString();
        try {
            T value = MAPPER.readValue(Files.readAllBytes(file), type);
            if (value == null) {
                throw ConfigException.of(name, "", "the file is empty (expected a YAML mapping)");
            }
            return value;
        } catch (NoSuchFileException e) {
            throw ConfigException.of(name, "", "file not found");
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw located(file, e, parentPath(e), e.getPropertyName(), "unknown key \"" + e.getPropertyName() + "\" (expected one of: " + known + ")");
        } catch (InvalidFormatException e) {
            throw located(file, e, path(e), null, "cannot read " + quote(e.getValue()) + " (expected "
                    + expectedFor(e.getTargetType()) + ")");
        } catch (ValueInstantiationException e) {
            String cause = e.getCause() == null ? e.getOriginalMessage() : e.getCause().getMessage();
            throw located(file, e, path(e), null, cause);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonParseException syntax) {
                throw notYaml(name, syntax);
            }
            throw located(file, e, path(e), null, firstLine(e.getOriginalMessage()));
        } catch (JsonParseException e) {
            throw notYaml(name, e);
        } catch (IOException e) {
            throw ConfigException.of(name, "", "cannot be read: " + e.getMessage());
        }
    }

    /** Bean Validation of a loaded record tree, each problem at its line; sorted so the report is stable. */
    public static List<String> validate(Path file, Object value) {
        Validator validator = VALIDATORS.getValidator();
        Set<ConstraintViolation<Object>> violations = validator.validate(value);
        if (violations.isEmpty()) {
            return List.of();
        }
        YamlLines lines = YamlLines.of(file);
        Set<String> problems = new TreeSet<>();
        for (ConstraintViolation<Object> v : violations) {
            String key = v.getPropertyPath().toString();
            problems.add(ConfigException.problem(file.toString(), lines.lineOf(key), key,
                    v.getMessage() + " (got " + quote(v.getInvalidValue()) + ")"));
        }
        return List.copyOf(problems);
    }

    /** A syntax error: at the line the parser stopped, with the YAML parser's own words, snippets left out. */
    private static ConfigException notYaml(String file, JsonParseException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .collect(Collectors.joining(": "));
        JsonLocation at = e.getLocation();
        return new ConfigException(List.of(ConfigException.problem(file, at == null ? 0 : Math.max(0, at.getLineNr()), "",
                "not valid YAML: " + message + column(at))));
    }

    /**
     * At the line of the key (or of {@code child}, an unknown key under it) when the file has it; else where the
     * parser stopped, which for records can be the end of the enclosing mapping.
     */
    private static ConfigException located(Path file, JsonProcessingException e, String key, String child, String message) {
        int line = key.isEmpty() && child == null ? 0
                : YamlLines.of(file).lineOf(child == null ? key : key.isEmpty() ? child : key + "." + child);
        JsonLocation at = e.getLocation();
        if (line == 0 && at != null) {
            line = Math.max(0, at.getLineNr());
        }
        return new ConfigException(List.of(ConfigException.problem(file.toString(), line, key, message)));
    }

    private static String parentPath(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        return path(refs.subList(0, Math.max(0, refs.size() - 1)));
    }

    private static String path(JsonMappingException e) {
        return path(e.getPath());
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String expectedFor(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return Durations.EXPECTED;
        }
        if (type == Rate.class) {
            return Rate.EXPECTED;
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants());
        }
        return "a " + type.getSimpleName();
    }

    private static String quote(Object value) {
        if (value instanceof String s) {
            return "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\"";
        }
        return String.valueOf(value);
    }

    private static String firstLine(String message) {
        int nl = message == null ? -1 : message.indexOf('\n');
        return nl < 0 ? String.valueOf(message) : message.substring(0, nl);
    }

    private static String column(JsonLocation location) {
        return location == null || location.getColumnNr() < 1 ? "" : " (column " + location.getColumnNr() + ")";
    }

    /** Reads a value written as text (a duration, a rate) with the type's own parser and its message. */
    private static final class TextDeserializer<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final java.util.function.Function<String, T> parser;

        TextDeserializer(Class<T> type, java.util.function.Function<String, T> parser) {
            this.type = type;
            this.parser = parser;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return parser.apply(text == null ? p.getText() : text);
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), text, type);
            }
        }
    }
}
