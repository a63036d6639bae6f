package org.bpfmaps.launcher;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Another user's listener on a bpfmaps socket, as {@link CheckedSocketIT} runs it (as {@code
 * nobody}): it answers every connection at once with a forged map and exit code 0, as the
 * protocol's frames ({@link Frames}, written here by hand so that this class needs nothing but
 * the JDK), and prints on standard output how many bytes each client sent before it left.
 *
 * <pre>java -cp DIR org.bpfmaps.launcher.ForgedListener SOCKET</pre>
 */
public final class ForgedListener {
    static final String FORGED = "1: array  name FORGED  flags 0x0\n";

    private ForgedListener() {}

    public static void main(String[] args) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
            System.out.println("listening");
            System.out.flush();
            while (true) {
                try (SocketChannel ch = server.accept()) {
                    byte[] text = FORGED.getBytes(StandardCharsets.UTF_8);
                    ByteBuffer answer = ByteBuffer.allocate(2 * 5 + text.length + 1);
                    answer.put((byte) 'O').putInt(text.length).put(text).put((byte) 'X').putInt(1).put((byte) 0).flip();
                    long received = 0;
                    try {
                        while (answer.hasRemaining()) {
                            ch.write(answer);
                        }
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        for (int n; (n = ch.read(b.clear())) >= 0; ) {
                            received += n;
                        }
                    } catch (IOException e) {
                        // The client left: what it sent is counted.
                    }
                    System.out.println("received " + received + " bytes");
                    System.out.flush();
                }
            }
        }
    }
}
