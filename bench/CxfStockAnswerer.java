import jakarta.xml.ws.Endpoint;
import jakarta.xml.ws.Provider;
import jakarta.xml.ws.Service;
import jakarta.xml.ws.ServiceMode;
import jakarta.xml.ws.WebServiceProvider;
import java.io.StringReader;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import javax.xml.transform.Source;
import javax.xml.transform.stream.StreamSource;

/**
 * The saturation benchmark's other backend (BACKEND=cxf in bench/saturation.sh): a small CXF service on Jetty that
 * answers GetStock from memory, the kind of backend the issue's reference figures were taken against (a SOAP stack
 * that costs far more per call than bench/StockAnswerer.java's bare Netty). Payload mode: CXF parses the request's
 * body element and writes the answer; no database.
 *
 * <pre>
 *   java -cp "target/oldguard-demo.jar:target/oldguard.jar:target/demo-lib/*" bench/CxfStockAnswerer.java --port 18188
 * </pre>
 */
public final class CxfStockAnswerer {

    public static void main(String[] args) throws Exception {
        int port = 18188;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        Endpoint.publish("http://127.0.0.1:" + port + "/inventory", new Answer());
        System.out.println("CxfStockAnswerer listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    @WebServiceProvider(serviceName = "InventoryService", portName = "InventoryPort",
            targetNamespace = "http://legacy.example.com/inventory/2008")
    @ServiceMode(Service.Mode.PAYLOAD)
    public static final class Answer implements Provider<Source> {
        private static final XMLInputFactory XML = XMLInputFactory.newFactory();

        @Override
        public Source invoke(Source request) {
            String item = "1";
            try {
                XMLStreamReader r = XML.createXMLStreamReader(request);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("ItemID")) {
                        item = r.getElementText().trim();
                        break;
                    }
                }
            } catch (Exception e) {
                // answer for item 1
            }
            String body = "<GetStockResponse xmlns=\"http://legacy.example.com/inventory/2008\"><Stock><ItemID>" + item
                    + "</ItemID><Description>Yellow hose</Description><Category>HARDWARE</Category><OnHand>114</OnHand>"
                    + "<Reserved>0</Reserved><Warehouse>WH-1</Warehouse></Stock></GetStockResponse>";
            return new StreamSource(new StringReader(body));
        }
    }
}
