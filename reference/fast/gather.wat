;; Data movement of uint8 feature codes on the fast path (hand-written WebAssembly): the strided
;; gathers of reference/fast/gather-map.ts (Slice, nearest Resize, Transpose, DepthToSpace, ...).
;; gather-map.ts builds each node's element map with the node's own float kernel (the oracle) and
;; describes it, after checking every element, as rows of an affine box; this kernel only replays
;; that description, so it moves exactly the elements the oracle moves.
;;
;; Descriptor at $desc (int32 words):
;;   [0] R      number of outer dims (0..8)
;;   [1] kind   1: contiguous row (n bytes); 2: every second byte (n outputs);
;;              3: every byte twice (m inputs, n = 2m outputs); 0: general two-level row
;;              out[j*f + k] = row[j*s1 + k*s0] for j < m, k < f (n = m*f)
;;   [2] n      output bytes per row
;;   [3] m  [4] f  [5] s1  [6] s0   (kind 0 and 3)
;;   [7] base   source offset of row 0
;;   [8 .. 8+R)      outer dims d_k        [8+R .. 8+2R)   outer strides s_k (bytes, may be < 0)
;; Output row r (r in [r0, r1)) is dst + r*n, read from src + base + sum_k s_k * i_k, where
;; (i_0 .. i_{R-1}) is r in the mixed radix of the d_k; $idx: R words of this call's own scratch.
(module
  (memory (import "env" "memory") 1 32768 shared)

  (func (export "gather_u8") (param $src i32) (param $dst i32) (param $desc i32) (param $idx i32) (param $r0 i32) (param $r1 i32)
    (local $R i32) (local $kind i32) (local $n i32) (local $m i32) (local $f i32) (local $s1 i32) (local $s0 i32)
    (local $off i32) (local $rem i32) (local $k i32) (local $d i32) (local $r i32) (local $row i32) (local $o i32)
    (local $j i32) (local $q i32) (local $t i32) (local $sk i32) (local $a v128)
    (local.set $R (i32.load (local.get $desc)))
    (local.set $kind (i32.load offset=4 (local.get $desc)))
    (local.set $n (i32.load offset=8 (local.get $desc)))
    (local.set $m (i32.load offset=12 (local.get $desc)))
    (local.set $f (i32.load offset=16 (local.get $desc)))
    (local.set $s1 (i32.load offset=20 (local.get $desc)))
    (local.set $s0 (i32.load offset=24 (local.get $desc)))
    ;; the source offset of row r0 and its outer index, innermost outer dim first
    (local.set $off (i32.load offset=28 (local.get $desc)))
    (local.set $rem (local.get $r0))
    (local.set $k (local.get $R))
    (block $idone
      (loop $iloop
        (br_if $idone (i32.le_s (local.get $k) (i32.const 0)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $d (i32.load offset=32 (i32.add (local.get $desc) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $t (i32.rem_u (local.get $rem) (local.get $d)))
        (local.set $rem (i32.div_u (local.get $rem) (local.get $d)))
        (i32.store (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2))) (local.get $t))
        (local.set $off (i32.add (local.get $off)
          (i32.mul (local.get $t) (i32.load offset=32 (i32.add (local.get $desc) (i32.shl (i32.add (local.get $k) (local.get $R)) (i32.const 2)))))))
        (br $iloop)))
    (local.set $r (local.get $r0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $r1)))
        (local.set $row (i32.add (local.get $src) (local.get $off)))
        (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $n))))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then (memory.copy (local.get $o) (local.get $row) (local.get $n)))
          (else (if (i32.eq (local.get $kind) (i32.const 2))
            (then
              ;; 16 outputs from 32 source bytes; the last load ends 2 bytes before the row's last read
              (local.set $j (i32.const 0))
              (block $e2
                (loop $l2
                  (br_if $e2 (i32.gt_s (i32.add (local.get $j) (i32.const 17)) (local.get $n)))
                  (local.set $t (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 1))))
                  (v128.store (i32.add (local.get $o) (local.get $j))
                    (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30 (v128.load (local.get $t)) (v128.load offset=16 (local.get $t))))
                  (local.set $j (i32.add (local.get $j) (i32.const 16)))
                  (br $l2)))
              (block $e2t
                (loop $l2t
                  (br_if $e2t (i32.ge_s (local.get $j) (local.get $n)))
                  (i32.store8 (i32.add (local.get $o) (local.get $j)) (i32.load8_u (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 1)))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $l2t))))
            (else (if (i32.eq (local.get $kind) (i32.const 3))
              (then
                ;; 8 source bytes -> 16 outputs, each byte twice
                (local.set $j (i32.const 0))
                (block $e3
                  (loop $l3
                    (br_if $e3 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $m)))
                    (local.set $a (v128.load64_zero (i32.add (local.get $row) (local.get $j))))
                    (v128.store (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 1)))
                      (i8x16.shuffle 0 0 1 1 2 2 3 3 4 4 5 5 6 6 7 7 (local.get $a) (local.get $a)))
                    (local.set $j (i32.add (local.get $j) (i32.const 8)))
                    (br $l3)))
                (block $e3t
                  (loop $l3t
                    (br_if $e3t (i32.ge_s (local.get $j) (local.get $m)))
                    (local.set $t (i32.load8_u (i32.add (local.get $row) (local.get $j))))
                    (i32.store16 (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 1))) (i32.mul (local.get $t) (i32.const 257)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $l3t))))
              (else
                ;; general: j < m, k < f
                (local.set $j (i32.const 0))
                (block $e0
                  (loop $l0
                    (br_if $e0 (i32.ge_s (local.get $j) (local.get $m)))
                    (local.set $t (i32.add (local.get $row) (i32.mul (local.get $j) (local.get $s1))))
                    (local.set $q (i32.const 0))
                    (block $e0k
                      (loop $l0k
                        (br_if $e0k (i32.ge_s (local.get $q) (local.get $f)))
                        (i32.store8 (local.get $o) (i32.load8_u (local.get $t)))
                        (local.set $o (i32.add (local.get $o) (i32.const 1)))
                        (local.set $t (i32.add (local.get $t) (local.get $s0)))
                        (local.set $q (i32.add (local.get $q) (i32.const 1)))
                        (br $l0k)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $l0)))))))))
        ;; next row: odometer over the outer dims
        (local.set $k (local.get $R))
        (block $odone
          (loop $oloop
            (br_if $odone (i32.le_s (local.get $k) (i32.const 0)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (local.set $t (i32.add (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 1)))
            (local.set $d (i32.load offset=32 (i32.add (local.get $desc) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $sk (i32.load offset=32 (i32.add (local.get $desc) (i32.shl (i32.add (local.get $k) (local.get $R)) (i32.const 2)))))
            (local.set $off (i32.add (local.get $off) (local.get $sk)))
            (if (i32.lt_s (local.get $t) (local.get $d))
              (then
                (i32.store (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2))) (local.get $t))
                (br $odone)))
            (local.set $off (i32.sub (local.get $off) (i32.mul (local.get $sk) (local.get $d))))
            (i32.store (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2))) (i32.const 0))
            (br $oloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))
)
