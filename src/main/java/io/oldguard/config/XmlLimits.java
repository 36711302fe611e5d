package io.oldguard.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Bounds on a SOAP envelope sent to the passthrough, checked while it is parsed, before anything else looks at
 * it. The defaults are far above what an inventory request needs (a handful of elements, a few levels deep) and
 * far below what makes a parser work hard. The envelope's size is bounded by {@code requests.maxBodyBytes}
 * (after decompression too).
 *
 * @param maxDepth                elements nested at most this deep (Envelope, Body, operation, parameter = 4)
 * @param maxElements             elements in the whole envelope
 * @param maxAttributesPerElement attributes on one element (namespace declarations included)
 * @param maxAttributeLength      characters in one attribute value
 * @param maxTextLength           characters of text in one element
 * @param maxNameLength           characters in an element or attribute name, prefix included
 */
public record XmlLimits(
        @NotNull @Min(4) @Max(256) Integer maxDepth,
        @NotNull @Min(8) @Max(1_000_000) Integer maxElements,
        @NotNull @Min(1) @Max(1024) Integer maxAttributesPerElement,
        @NotNull @Min(64) @Max(16 * 1024 * 1024) Integer maxAttributeLength,
        @NotNull @Min(64) @Max(16 * 1024 * 1024) Integer maxTextLength,
        @NotNull @Min(16) @Max(4096) Integer maxNameLength) {

    public XmlLimits {
        maxDepth = maxDepth == null ? Integer.valueOf(32) : maxDepth;
        maxElements = maxElements == null ? Integer.valueOf(1_000) : maxElements;
        maxAttributesPerElement = maxAttributesPerElement == null ? Integer.valueOf(32) : maxAttributesPerElement;
        maxAttributeLength = maxAttributeLength == null ? Integer.valueOf(8 * 1024) : maxAttributeLength;
        maxTextLength = maxTextLength == null ? Integer.valueOf(64 * 1024) : maxTextLength;
        maxNameLength = maxNameLength == null ? Integer.valueOf(256) : maxNameLength;
    }

    public static XmlLimits defaults() {
        return new XmlLimits(null, null, null, null, null, null);
    }
}
