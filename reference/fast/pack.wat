;; Packing of uint8 NCHW activations for the convolution kernels of conv-int.wat (hand-written
;; WebAssembly SIMD): int16 with the zero point subtracted, channels innermost for conv_pairs
;; (pack_u8), stride phases per channel for conv_dw (pack_dw_u8); and a memory fill. Layouts:
;; reference/fast/pack.ts.
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; Packs uint8 NCHW channels [0, cn) (src: channel stride h*w bytes) into int16 [HP][WP][cp] at
  ;; dst with the image at (pt, pl) and the zero point subtracted; dst must already be zeroed.
  ;; Blocks of 8 channels x 8 pixels are transposed with shuffles; tails are scalar.
  (func (export "pack_u8")
    (param $src i32) (param $dst i32) (param $cn i32) (param $h i32) (param $w i32) (param $zx i32)
    (param $cp i32) (param $wp i32) (param $pt i32) (param $pl i32)
    (local $hw i32) (local $pstride i32) (local $c0 i32) (local $iy i32) (local $ix i32) (local $k i32)
    (local $srow i32) (local $drow i32) (local $sp i32) (local $dp i32) (local $zv v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $t4 v128) (local $t5 v128) (local $t6 v128) (local $t7 v128)
    (local.set $hw (i32.mul (local.get $h) (local.get $w)))
    (local.set $pstride (i32.shl (local.get $cp) (i32.const 1)))
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $c0 (i32.const 0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.gt_s (i32.add (local.get $c0) (i32.const 8)) (local.get $cn)))
        (local.set $iy (i32.const 0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $iy) (local.get $h)))
            (local.set $srow (i32.add (local.get $src) (i32.add (i32.mul (local.get $c0) (local.get $hw)) (i32.mul (local.get $iy) (local.get $w)))))
            (local.set $drow (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $iy) (local.get $pt)) (local.get $wp)) (local.get $pl)) (local.get $cp)) (local.get $c0)) (i32.const 1))))
            (local.set $ix (i32.const 0))
            (block $xdone
              (loop $xloop
                (br_if $xdone (i32.gt_s (i32.add (local.get $ix) (i32.const 8)) (local.get $w)))
                (local.set $sp (i32.add (local.get $srow) (local.get $ix)))
                (local.set $dp (i32.add (local.get $drow) (i32.mul (local.get $ix) (local.get $pstride))))
                (local.set $r0 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 0))))) (local.get $zv)))
                (local.set $r1 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 1))))) (local.get $zv)))
                (local.set $r2 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 2))))) (local.get $zv)))
                (local.set $r3 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 3))))) (local.get $zv)))
                (local.set $r4 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 4))))) (local.get $zv)))
                (local.set $r5 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 5))))) (local.get $zv)))
                (local.set $r6 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 6))))) (local.get $zv)))
                (local.set $r7 (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sp) (i32.mul (local.get $hw) (i32.const 7))))) (local.get $zv)))
                (local.set $t0 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t2 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t3 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r2) (local.get $r3)))
                (local.set $t4 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r4) (local.get $r5)))
                (local.set $t5 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r4) (local.get $r5)))
                (local.set $t6 (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r6) (local.get $r7)))
                (local.set $t7 (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r6) (local.get $r7)))
                (local.set $r0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t0) (local.get $t2)))
                (local.set $r1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t0) (local.get $t2)))
                (local.set $r2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t1) (local.get $t3)))
                (local.set $r3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $r4 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t4) (local.get $t6)))
                (local.set $r5 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t4) (local.get $t6)))
                (local.set $r6 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $t5) (local.get $t7)))
                (local.set $r7 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $t5) (local.get $t7)))
                (v128.store (local.get $dp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r4)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r0) (local.get $r4)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r1) (local.get $r5)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r1) (local.get $r5)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r2) (local.get $r6)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r2) (local.get $r6)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r3) (local.get $r7)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (v128.store (local.get $dp) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r3) (local.get $r7)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (local.set $ix (i32.add (local.get $ix) (i32.const 8)))
                (br $xloop)))
            ;; tail pixels of the row
            (block $tdone
              (loop $tloop
                (br_if $tdone (i32.ge_s (local.get $ix) (local.get $w)))
                (local.set $k (i32.const 0))
                (loop $kloop
                  (i32.store16 (i32.add (i32.add (local.get $drow) (i32.mul (local.get $ix) (local.get $pstride))) (i32.shl (local.get $k) (i32.const 1)))
                    (i32.sub (i32.load8_u (i32.add (i32.add (local.get $srow) (local.get $ix)) (i32.mul (local.get $k) (local.get $hw)))) (local.get $zx)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br_if $kloop (i32.lt_s (local.get $k) (i32.const 8))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $tloop)))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $yloop)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 8)))
        (br $cloop)))
    ;; tail channels, one at a time
    (block $cdone2
      (loop $cloop2
        (br_if $cdone2 (i32.ge_s (local.get $c0) (local.get $cn)))
        (local.set $iy (i32.const 0))
        (block $ydone2
          (loop $yloop2
            (br_if $ydone2 (i32.ge_s (local.get $iy) (local.get $h)))
            (local.set $sp (i32.add (local.get $src) (i32.add (i32.mul (local.get $c0) (local.get $hw)) (i32.mul (local.get $iy) (local.get $w)))))
            (local.set $dp (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $iy) (local.get $pt)) (local.get $wp)) (local.get $pl)) (local.get $cp)) (local.get $c0)) (i32.const 1))))
            (local.set $ix (i32.const 0))
            (block $xdone2
              (loop $xloop2
                (br_if $xdone2 (i32.ge_s (local.get $ix) (local.get $w)))
                (i32.store16 (local.get $dp) (i32.sub (i32.load8_u (i32.add (local.get $sp) (local.get $ix))) (local.get $zx)))
                (local.set $dp (i32.add (local.get $dp) (local.get $pstride)))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $xloop2)))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $yloop2)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 1)))
        (br $cloop2))))

  ;; Zeroes $n bytes at $a.
  (func (export "zero") (param $a i32) (param $n i32)
    (memory.fill (local.get $a) (i32.const 0) (local.get $n)))

  ;; Depthwise packing: uint8 NCHW channels [c0, c1) of one image (src, channel stride h*w bytes)
  ;; into int16 [C][sw][HP][WPs] at dst (channel stride $region bytes), zero point subtracted,
  ;; padded column X = ix + pl at phase X mod sw, index X / sw; the rest of each channel is zeroed.
  (func (export "pack_dw_u8")
    (param $src i32) (param $dst i32) (param $h i32) (param $w i32) (param $zx i32) (param $sw i32)
    (param $hp i32) (param $wps i32) (param $pt i32) (param $pl i32) (param $region i32)
    (param $c0 i32) (param $c1 i32)
    (local $c i32) (local $iy i32) (local $ph i32) (local $ix i32) (local $sp i32) (local $dp i32)
    (local $srow i32) (local $cd i32) (local $zv v128) (local $xv v128)
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        (local.set $cd (i32.add (local.get $dst) (i32.mul (local.get $c) (local.get $region))))
        (memory.fill (local.get $cd) (i32.const 0) (local.get $region))
        (local.set $iy (i32.const 0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $iy) (local.get $h)))
            (local.set $srow (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $c) (local.get $h)) (local.get $iy)) (local.get $w))))
            (if (i32.eq (local.get $sw) (i32.const 2))
              (then
                ;; stride 2: 16 columns per step split into even / odd bytes; column ix goes to phase
                ;; (ix + pl) & 1 at index (ix + pl) >> 1, so even ix -> phase pl & 1, index ix/2 + pl/2,
                ;; odd ix -> phase 1 - (pl & 1), index ix/2 + (pl + 1)/2
                (local.set $ix (i32.const 0))
                (block $v2done
                  (loop $v2loop
                    (br_if $v2done (i32.gt_s (i32.add (local.get $ix) (i32.const 16)) (local.get $w)))
                    (local.set $xv (v128.load (i32.add (local.get $srow) (local.get $ix))))
                    (v128.store (i32.add (local.get $cd) (i32.shl (i32.add
                        (i32.mul (i32.add (i32.mul (i32.and (local.get $pl) (i32.const 1)) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                        (i32.add (i32.shr_u (local.get $ix) (i32.const 1)) (i32.shr_u (local.get $pl) (i32.const 1)))) (i32.const 1)))
                      (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0 (local.get $xv) (local.get $xv))) (local.get $zv)))
                    (v128.store (i32.add (local.get $cd) (i32.shl (i32.add
                        (i32.mul (i32.add (i32.mul (i32.sub (i32.const 1) (i32.and (local.get $pl) (i32.const 1))) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                        (i32.add (i32.shr_u (local.get $ix) (i32.const 1)) (i32.shr_u (i32.add (local.get $pl) (i32.const 1)) (i32.const 1)))) (i32.const 1)))
                      (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 1 3 5 7 9 11 13 15 0 0 0 0 0 0 0 0 (local.get $xv) (local.get $xv))) (local.get $zv)))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 16)))
                    (br $v2loop)))
                (block $t2done
                  (loop $t2loop
                    (br_if $t2done (i32.ge_s (local.get $ix) (local.get $w)))
                    (i32.store16 (i32.add (local.get $cd) (i32.shl (i32.add
                        (i32.mul (i32.add (i32.mul (i32.and (i32.add (local.get $ix) (local.get $pl)) (i32.const 1)) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                        (i32.shr_u (i32.add (local.get $ix) (local.get $pl)) (i32.const 1))) (i32.const 1)))
                      (i32.sub (i32.load8_u (i32.add (local.get $srow) (local.get $ix))) (local.get $zx)))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                    (br $t2loop))))
              (else
            (local.set $ph (i32.const 0))
            (block $pdone
              (loop $ploop
                (br_if $pdone (i32.ge_s (local.get $ph) (local.get $sw)))
                ;; first ix with (ix + pl) mod sw = ph
                (local.set $ix (i32.rem_u (i32.add (i32.sub (local.get $ph) (i32.rem_u (local.get $pl) (local.get $sw))) (local.get $sw)) (local.get $sw)))
                (local.set $dp (i32.add (local.get $cd) (i32.shl (i32.add
                  (i32.mul (i32.add (i32.mul (local.get $ph) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                  (i32.div_u (i32.add (local.get $ix) (local.get $pl)) (local.get $sw))) (i32.const 1))))
                (if (i32.eq (local.get $sw) (i32.const 1))
                  (then
                    (block $vdone
                      (loop $vloop
                        (br_if $vdone (i32.gt_s (i32.add (local.get $ix) (i32.const 8)) (local.get $w)))
                        (v128.store (local.get $dp) (i16x8.sub (i16x8.extend_low_i8x16_u
                          (v128.load64_zero (i32.add (local.get $srow) (local.get $ix)))) (local.get $zv)))
                        (local.set $dp (i32.add (local.get $dp) (i32.const 16)))
                        (local.set $ix (i32.add (local.get $ix) (i32.const 8)))
                        (br $vloop)))))
                (block $xdone
                  (loop $xloop
                    (br_if $xdone (i32.ge_s (local.get $ix) (local.get $w)))
                    (i32.store16 (local.get $dp) (i32.sub (i32.load8_u (i32.add (local.get $srow) (local.get $ix))) (local.get $zx)))
                    (local.set $dp (i32.add (local.get $dp) (i32.const 2)))
                    (local.set $ix (i32.add (local.get $ix) (local.get $sw)))
                    (br $xloop)))
                (local.set $ph (i32.add (local.get $ph) (i32.const 1)))
                (br $ploop)))))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $yloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))
)
