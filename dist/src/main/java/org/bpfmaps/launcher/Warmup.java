package org.bpfmaps.launcher;

import java.io.StringReader;
import java.time.ZoneId;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Loads parts of the JDK that the bundles are about to need, on a core that would otherwise
 * wait: SCR parses each bundle's component XML with the JDK's SAX parser (some 150 classes) and
 * stamps its log with java.time. The JDK's classes are loaded once for all class loaders, so
 * SCR then finds them loaded; nothing else is shared. It changes only when the prompt appears.
 */
final class Warmup {
    private Warmup() {}

    static void jdk() {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.newSAXParser().parse(new InputSource(new StringReader(
                    "<scr:component xmlns:scr='http://www.osgi.org/xmlns/scr/v1.5.0' name='w'>"
                            + "<implementation class='w'/></scr:component>")), new DefaultHandler());
            ZoneId.systemDefault();
        } catch (Exception | LinkageError e) {
            // Only a warm-up: SCR will do the same and report what fails.
        }
    }

    /** {@link #jdk()} on a thread of its own, for when the calling thread has other work. */
    static void inBackground() {
        Thread t = new Thread("bpfmaps-warmup") {
            @Override
            public void run() {
                jdk();
            }
        };
        t.setDaemon(true);
        t.start();
    }
}
