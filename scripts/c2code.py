"""C2's code as -XX:CompileCommand=print shows it, decoded: JDK 17 cannot load Debian's hsdis,
so the JVM prints each compilation's bytes in hex, which binutils' objdump disassembles.
Shared by scripts/jit-asm.sh and scripts/jit-profile.sh."""
import re
import subprocess
import tempfile

_LINE = re.compile(r'\s*0x([0-9a-f]+): (.*)')
_INSN = re.compile(r'\s*([0-9a-f]+):')


def compilations(text):
    """Every C2 compilation printed in text, in print order: (header, start address or None,
    code bytes, {address: [the JVM's comments there]})."""
    found = []
    for block in text.split('Compiled method (c2)')[1:]:
        start, code, notes = None, bytearray(), {}
        for line in block.split('\n'):
            m = _LINE.match(line)
            if not m:
                continue
            addr, rest = int(m.group(1), 16), m.group(2)
            if rest.startswith(';'):
                notes.setdefault(addr, []).append(rest.strip())
                continue
            hexes = ''.join(rest.replace('|', ' ').split())
            if re.fullmatch(r'[0-9a-f]+', hexes):
                if start is None:
                    start = addr
                code += bytes.fromhex(hexes)
        found.append((block.split('\n')[0].strip(), start, bytes(code), notes))
    return found


def disassemble(start, code):
    """(address, objdump's line) for each instruction of code placed at start."""
    with tempfile.NamedTemporaryFile(suffix='.bin') as f:
        f.write(code)
        f.flush()
        dump = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-Mintel',
                               '--adjust-vma=%#x' % start, f.name],
                              capture_output=True, text=True, check=True).stdout
    for line in dump.split('\n'):
        m = _INSN.match(line)
        if m:
            yield int(m.group(1), 16), line
