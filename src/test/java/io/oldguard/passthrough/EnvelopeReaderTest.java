package io.oldguard.passthrough;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.oldguard.Setup;
import io.oldguard.catalog.SoapOperation;
import io.oldguard.catalog.Tool;
import io.oldguard.config.XmlLimits;
import io.oldguard.guard.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.namespace.QName;
import org.junit.jupiter.api.Test;

/** Reading envelopes: what decodes into which arguments, and every construct and limit that is refused. */
class EnvelopeReaderTest {

    private static final String NS = "http://legacy.example.com/inventory/2008";
    private static final Map<QName, Tool> OPERATIONS = operations();
    private final EnvelopeReader reader = new EnvelopeReader(XmlLimits.defaults());

    @Test
    void decodesAnIntegerItemIdAsANumber() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<inv:ItemID>42</inv:ItemID>"));

        assertThat(decoded.tool().name()).isEqualTo("GetStock");
        assertThat(decoded.arguments().get("ItemID").isIntegralNumber()).isTrue();
        assertThat(decoded.arguments().get("ItemID").intValue()).isEqualTo(42);
    }

    @Test
    void keepsAnInventedItemIdAsTheStringItIs() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<inv:ItemID>the-blue-widget</inv:ItemID>"));

        assertThat(decoded.arguments().get("ItemID").isTextual()).isTrue();
        assertThat(decoded.arguments().get("ItemID").asText()).isEqualTo("the-blue-widget");
    }

    @Test
    void keepsAPaddedSignedOrUnicodeSpacedNumberAsTextSoTheValidatorRefusesIt() throws Exception {
        for (String text : new String[] {" 42 ", "+42", "\u300042", "42.0", "4e1"}) {
            EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<inv:ItemID>" + text + "</inv:ItemID>"));

            assertThat(decoded.arguments().get("ItemID").isTextual()).as(text).isTrue();
            assertThat(decoded.arguments().get("ItemID").asText()).isEqualTo(text);
        }
    }

    @Test
    void readsPredefinedEntitiesCharacterReferencesAndCdataAsTheServiceWould() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("ReserveStock",
                "<inv:ItemID>&#52;2</inv:ItemID><inv:Quantity><![CDATA[3]]></inv:Quantity>"
                        + "<inv:OrderRef>PO&amp;<!-- c -->1</inv:OrderRef>"));

        assertThat(decoded.arguments().get("ItemID").intValue()).isEqualTo(42);
        assertThat(decoded.arguments().get("Quantity").intValue()).isEqualTo(3);
        assertThat(decoded.arguments().get("OrderRef").asText()).isEqualTo("PO&1");
    }

    @Test
    void turnsAParameterSentTwiceIntoAnArrayTheValidatorRefuses() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<inv:ItemID>1</inv:ItemID><inv:ItemID>2</inv:ItemID>"));

        assertThat(decoded.arguments().get("ItemID").isArray()).isTrue();
    }

    @Test
    void namesAnElementInAnotherNamespaceSoItIsAnUnknownParameter() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<ItemID xmlns=\"urn:other\">1</ItemID>"));

        assertThat(decoded.arguments().has("{urn:other}ItemID")).isTrue();
    }

    @Test
    void namesAnUnqualifiedElementSoItIsNotTheQualifiedParameter() throws Exception {
        EnvelopeReader.Decoded decoded = read(envelope("GetStock", "<ItemID>42</ItemID>"));

        assertThat(decoded.arguments().has("ItemID")).isFalse();
        assertThat(decoded.arguments().has("{}ItemID")).isTrue();
    }

    @Test
    void refusesADoctypeBeforeAnyEntityIsExpanded() {
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                + "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
                + envelope("GetStock", "<inv:ItemID>&lol3;</inv:ItemID>");

        assertThat(refusal(laughs).type()).endsWith("/forbidden-xml");
        assertThat(refusal(laughs).detail()).contains("DOCTYPE");
    }

    @Test
    void refusesAnUndeclaredEntityReference() {
        assertThat(refusal(envelope("GetStock", "<inv:ItemID>&xxe;</inv:ItemID>")).type()).endsWith("/forbidden-xml");
    }

    @Test
    void refusesProcessingInstructions() {
        assertThat(refusal(envelope("GetStock", "<?evil run?><inv:ItemID>1</inv:ItemID>")).detail())
                .contains("processing instruction");
    }

    @Test
    void refusesXInclude() {
        String include = "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\"/>";

        assertThat(refusal(envelope("GetStock", include)).detail()).contains("XInclude");
    }

    @Test
    void refusesSchemaLocations() {
        String located = "<inv:ItemID xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xsi:schemaLocation=\"urn:x http://127.0.0.1:1/x.xsd\">1</inv:ItemID>";

        assertThat(refusal(envelope("GetStock", located)).type()).endsWith("/forbidden-xml");
    }

    @Test
    void refusesAttributesThatWouldChangeHowTheServiceReadsAValue() {
        String typed = "<inv:ItemID xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xsi:type=\"xs:string\">1</inv:ItemID>";

        assertThat(refusal(envelope("GetStock", typed)).detail()).contains("type").contains("ItemID");
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        String deep = "<a>".repeat(40) + "</a>".repeat(40);

        Refusal refusal = refusal(envelope("GetStock", "<inv:ItemID>" + deep + "</inv:ItemID>"));

        assertThat(refusal.type()).endsWith("/xml-limit-exceeded");
        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxDepth");
    }

    @Test
    void refusesMoreElementsThanTheLimit() {
        Refusal refusal = refusal(envelope("GetStock", "<inv:ItemID>1</inv:ItemID>" + "<x/>".repeat(20_000)));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxElements");
    }

    @Test
    void acceptsAttributesUpToTheLimit() throws Exception {
        assertThat(read(envelopeWithRootAttributes(attributes(30))).tool().name()).isEqualTo("GetStock");
    }

    @Test
    void refusesMoreAttributesThanTheLimit() {
        // 31 attributes and the root's 2 namespace declarations: one over the limit of 32.
        Refusal refusal = refusal(envelopeWithRootAttributes(attributes(31)));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxAttributesPerElement");
    }

    @Test
    void refusesTenThousandAttributesByTheSameLimit() {
        assertThat(refusal(envelopeWithRootAttributes(attributes(10_000))).extensions())
                .containsEntry("setting", "requests.xml.maxAttributesPerElement");
    }

    @Test
    void refusesTenThousandNamespaceDeclarationsAsAttributes() {
        StringBuilder declarations = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            declarations.append(" xmlns:p").append(i).append("=\"urn:p").append(i).append('"');
        }

        Refusal refusal = refusal(envelopeWithRootAttributes(declarations.toString()));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxAttributesPerElement")
                .containsEntry("limit", 32L);
        assertThat(refusal.detail()).contains("more than 32 attributes and namespace declarations").contains("at most 32");
    }

    @Test
    void refusesAttributesAndDeclarationsThatOnlyTogetherPassTheLimit() {
        // 4 declarations and 30 attributes: neither kind alone is over 32, which is all the parser checks here.
        String declarations = " xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"";

        Refusal refusal = refusal(envelopeWithRootAttributes(declarations + attributes(30)));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxAttributesPerElement");
    }

    @Test
    void refusesANamespaceLongerThanTheAttributeLengthLimit() {
        Refusal refusal = refusal(envelopeWithRootAttributes(" xmlns:long=\"urn:" + "x".repeat(9000) + "\""));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxAttributeLength");
    }

    @Test
    void refusesTextOverTheLimitSplitIntoCdataSectionsEachUnderIt() {
        String half = "<![CDATA[" + "x".repeat(40_000) + "]]>";

        Refusal refusal = refusal(envelope("ReserveStock", "<inv:OrderRef>" + half + half + "</inv:OrderRef>"));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxTextLength");
    }

    @Test
    void acceptsTextUpToTheLimitInOneElement() throws Exception {
        String text = "x".repeat(XmlLimits.defaults().maxTextLength());

        assertThat(read(envelope("ReserveStock", "<inv:OrderRef>" + text + "</inv:OrderRef>")).arguments()
                .get("OrderRef").asText()).hasSize(text.length());
    }

    @Test
    void refusesAnAttributeValueLongerThanTheLimit() {
        Refusal refusal = refusal(envelopeWithRootAttributes(" big=\"" + "x".repeat(9000) + "\""));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxAttributeLength");
        assertThat(refusal.detail()).contains("longer than 8192 characters").contains("at most 8192");
    }

    @Test
    void acceptsAnAttributeValueAsLongAsTheLimit() throws Exception {
        String value = "x".repeat(XmlLimits.defaults().maxAttributeLength());

        assertThat(read(envelopeWithRootAttributes(" big=\"" + value + "\"")).tool().name()).isEqualTo("GetStock");
    }

    @Test
    void refusesTextLongerThanTheLimit() {
        Refusal refusal = refusal(envelope("ReserveStock", "<inv:OrderRef>" + "x".repeat(70_000) + "</inv:OrderRef>"));

        assertThat(refusal.extensions()).containsEntry("setting", "requests.xml.maxTextLength");
    }

    @Test
    void refusesANameLongerThanTheLimit() {
        String name = "n".repeat(300);

        assertThat(refusal(envelope("GetStock", "<" + name + "/>")).extensions())
                .containsEntry("setting", "requests.xml.maxNameLength");
    }

    @Test
    void answersASoap12EnvelopeWithAVersionMismatch() {
        String soap12 = "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body/></e:Envelope>";

        assertThat(refusal(soap12).outcome()).isEqualTo("soap_version_mismatch");
    }

    @Test
    void refusesADocumentThatIsNotAnEnvelope() {
        assertThat(refusal("<GetStockRequest/>").type()).endsWith("/not-a-soap-envelope");
        assertThat(refusal("not xml at all").type()).endsWith("/malformed-xml");
    }

    @Test
    void refusesTwoOperationsInOneBody() {
        String two = envelope("GetStock", "<inv:ItemID>1</inv:ItemID>")
                .replace("</soap:Body>", "<inv:GetStockRequest><inv:ItemID>2</inv:ItemID></inv:GetStockRequest></soap:Body>");

        assertThat(refusal(two).detail()).contains("second element");
    }

    @Test
    void refusesAnOperationTheServiceDoesNotHave() {
        assertThat(refusal(envelope("DropTables", "")).detail()).contains("DropTablesRequest").contains("GetStockRequest");
    }

    @Test
    void refusesAReplyToAnywhereButAnonymous() {
        String header = "<wsa:ReplyTo xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">"
                + "<wsa:Address>http://attacker.example/collect</wsa:Address></wsa:ReplyTo>";

        assertThat(refusal(withHeader(header)).type()).endsWith("/foreign-reply-address");
    }

    @Test
    void acceptsTheAnonymousReplyTo() throws Exception {
        String header = "<wsa:ReplyTo xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">"
                + "<wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>";

        assertThat(read(withHeader(header)).tool().name()).isEqualTo("GetStock");
    }

    @Test
    void readsTheBytesInTheCharsetTheHttpHeaderNames() throws Exception {
        byte[] latin1 = envelope("ReserveStock", "<inv:OrderRef>PO-\u00e9</inv:OrderRef>").getBytes(StandardCharsets.ISO_8859_1);

        EnvelopeReader.Decoded decoded = reader.read(latin1, StandardCharsets.ISO_8859_1, OPERATIONS);

        assertThat(decoded.arguments().get("OrderRef").asText()).isEqualTo("PO-\u00e9");
        assertThat(decoded.charset()).isEqualTo(StandardCharsets.ISO_8859_1);
    }

    @Test
    void withoutAnHttpCharsetTheXmlDeclarationDecides() throws Exception {
        String xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                + envelope("ReserveStock", "<inv:OrderRef>PO-\u00e9</inv:OrderRef>");

        EnvelopeReader.Decoded decoded = reader.read(xml.getBytes(StandardCharsets.ISO_8859_1), null, OPERATIONS);

        assertThat(decoded.arguments().get("OrderRef").asText()).isEqualTo("PO-\u00e9");
        assertThat(decoded.charset()).isEqualTo(StandardCharsets.ISO_8859_1);
    }

    @Test
    void withNeitherItIsUtf8() throws Exception {
        assertThat(read(envelope("GetStock", "<inv:ItemID>42</inv:ItemID>")).charset()).isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void refusesAnXmlDeclarationThatDisagreesWithTheHttpCharset() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + envelope("GetStock", "<inv:ItemID>42</inv:ItemID>");

        Refusal refusal = catchThrowableOfType(EnvelopeReader.Refused.class,
                () -> reader.read(xml.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1, OPERATIONS)).refusal();

        assertThat(refusal.detail()).contains("must agree");
    }

    @Test
    void refusesACharsetLegacyStacksDoNotReadAlike() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-7\"?>" + envelope("GetStock", "<inv:ItemID>42</inv:ItemID>");

        Refusal refusal = refusal(xml);

        assertThat(refusal.type()).as(refusal.detail()).endsWith("/unsupported-charset");
    }

    @Test
    void refusesXml11() {
        assertThat(refusal("<?xml version=\"1.1\"?>" + envelope("GetStock", "<inv:ItemID>42</inv:ItemID>")).detail())
                .contains("XML 1.1");
    }

    @Test
    void refusesAHeaderTheServiceMustUnderstand() {
        String header = "<x:Session xmlns:x=\"urn:x\" soap:mustUnderstand=\"1\">s</x:Session>";

        assertThat(refusal(withHeader(header)).detail()).contains("mustUnderstand");
    }

    @Test
    void refusesAWsAddressingActionThatDisagreesWithTheBody() {
        String header = "<wsa:Action xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">" + NS + "/ReserveStock</wsa:Action>";

        assertThat(refusal(withHeader(header)).type()).endsWith("/soap-action-mismatch");
    }

    @Test
    void acceptsTheWsAddressingActionOfTheBodysOperation() throws Exception {
        String header = "<wsa:Action xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">" + NS + "/GetStock</wsa:Action>";

        assertThat(read(withHeader(header)).tool().name()).isEqualTo("GetStock");
    }

    @Test
    void refusesAReplyToPaddedWithUnicodeSpaces() {
        String header = "<wsa:ReplyTo xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">"
                + "<wsa:Address>http://www.w3.org/2005/08/addressing/anonymous\u2003</wsa:Address></wsa:ReplyTo>";

        assertThat(refusal(withHeader(header)).type()).endsWith("/foreign-reply-address");
    }

    private EnvelopeReader.Decoded read(String xml) throws EnvelopeReader.Refused {
        return reader.read(xml.getBytes(StandardCharsets.UTF_8), null, OPERATIONS);
    }

    private Refusal refusal(String xml) {
        return catchThrowableOfType(EnvelopeReader.Refused.class, () -> read(xml)).refusal();
    }

    private static String envelope(String operation, String params) {
        return "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:inv=\"" + NS + "\">"
                + "<soap:Body><inv:" + operation + "Request>" + params + "</inv:" + operation + "Request></soap:Body></soap:Envelope>";
    }

    private static String attributes(int count) {
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < count; i++) {
            attributes.append(" a").append(i).append("=\"v\"");
        }
        return attributes.toString();
    }

    private static String envelopeWithRootAttributes(String attributes) {
        return envelope("GetStock", "<inv:ItemID>1</inv:ItemID>").replaceFirst("<soap:Envelope", "<soap:Envelope" + attributes);
    }

    private static String withHeader(String header) {
        return envelope("GetStock", "<inv:ItemID>1</inv:ItemID>").replace("<soap:Body>", "<soap:Header>" + header + "</soap:Header><soap:Body>");
    }

    private static Map<QName, Tool> operations() {
        Map<QName, Tool> operations = new HashMap<>();
        for (Tool tool : Setup.load(Path.of("sidecar.yaml")).catalog().all()) {
            if (tool.binding() instanceof SoapOperation soap) {
                operations.put(soap.requestElement(), tool);
            }
        }
        return operations;
    }
}
